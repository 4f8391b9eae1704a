#!/usr/bin/env bash
# npm run demo: installs what is missing, builds the console when its sources changed, and
# serves it on the embedded demo directory.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
bash scripts/setup-system.sh
bash scripts/ensure-node-deps.sh
if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components lib public instrumentation.ts next.config.ts package-lock.json -newer .next/BUILD_ID -print -quit 2>/dev/null)" ]; then
  echo "Building the console…"
  npx next build > /tmp/console-demo-build.log 2>&1 || { cat /tmp/console-demo-build.log; exit 1; }
fi
exec npx tsx scripts/demo.ts
