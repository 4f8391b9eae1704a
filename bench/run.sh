#!/usr/bin/env bash
# npm run bench: generates a large directory, serves it from a private slapd, starts the
# production build of the console on its own port and prints how fast each page answers next to
# raw ldapsearch fetching the same data. Options are passed on, e.g.
#   npm run bench -- --machines 2000 --repeats 9
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
bash scripts/setup-system.sh
bash scripts/ensure-node-deps.sh
if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components lib public instrumentation.ts next.config.ts package-lock.json -newer .next/BUILD_ID -print -quit 2>/dev/null)" ]; then
  echo "Building the console (next build)…"
  mkdir -p bench/out
  npx next build > bench/out/build.log 2>&1 || { cat bench/out/build.log; exit 1; }
fi
exec npx tsx bench/browse.ts "$@"
