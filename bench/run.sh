#!/usr/bin/env bash
# npm run bench: all four benchmarks of docs/performance.md, one after the other.
#
# 1. Browse: generates a large directory, serves it from a private slapd, starts the production
#    build of the console on its own port and prints how fast each page answers next to raw
#    ldapsearch fetching the same data (bench/browse.ts).
# 2. Conflicts: the conflict computation for a machine with about 200 directory attributes and
#    a 100 KB domain XML (bench/conflicts.ts).
# 3. Restore: whole restores of a machine with a 2 GiB and an 8 GiB image through the console's
#    restore engine against a test node over real sshd, each followed by its undo, taking turns
#    with plain cp -p of the same files and sync; the downtime of each restore and undo
#    (bench/restore.ts; needs about 35 GiB free in the temporary folder).
# 4. Node commands: what an SSH command costs beyond its own work, on a channel of its own (as
#    before the command runner) and through lib/ssh's command runner (bench/ssh-command.ts).
#
# Options are passed on to the browse benchmark, e.g.
#   npm run bench -- --machines 2000 --repeats 9
# and BENCH_RESTORE_ARGS to the restore benchmark, e.g. BENCH_RESTORE_ARGS='--repeats 5'.
# The whole output is also kept in bench/out/last-run.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
mkdir -p bench/out
exec > >(tee bench/out/last-run.txt) 2>&1
started=$SECONDS
bash scripts/setup-system.sh
bash scripts/ensure-node-deps.sh
if [ ! -f .next/BUILD_ID ] || [ -n "$(find app components lib public instrumentation.ts next.config.ts package-lock.json -newer .next/BUILD_ID -print -quit 2>/dev/null)" ]; then
  echo "Building the console (next build)…"
  build_started=$SECONDS
  npx next build > bench/out/build.log 2>&1 || { cat bench/out/build.log; exit 1; }
  echo "Built in $((SECONDS - build_started)) s."
fi

echo
echo "=== 1. Browse benchmark (bench/browse.ts)"
npx tsx bench/browse.ts "$@"

echo
echo "=== 2. Conflict computation (bench/conflicts.ts)"
npx tsx bench/conflicts.ts

echo
echo "=== 3. Restore benchmark (bench/restore.ts)"
# shellcheck disable=SC2086 # word splitting of the options is intended
npx tsx bench/restore.ts ${BENCH_RESTORE_ARGS:-}

echo
echo "=== 4. Node command overhead (bench/ssh-command.ts)"
npx tsx bench/ssh-command.ts

elapsed=$((SECONDS - started))
echo
echo "npm run bench finished in $((elapsed / 60)) min $((elapsed % 60)) s."
