#!/usr/bin/env bash
# npm test: every test, from a fresh clone. Installs what is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
bash scripts/setup-system.sh
bash scripts/ensure-node-deps.sh

echo "== Lint (ESLint) and format check (Prettier)"
npx eslint --max-warnings=0 .
npx prettier --check --log-level warn . || { echo "Not formatted: run 'npm run format'."; exit 1; }

echo "== Type check (tsc --noEmit)"
npx tsc --noEmit

echo "== Unit and integration tests (Vitest, real slapd and sshd)"
npx vitest run

echo "== Production build"
npx next build > test-results-build.log 2>&1 || { cat test-results-build.log; exit 1; }
rm -f test-results-build.log

echo "== End-to-end tests (Playwright, Debian chromium)"
npx playwright test
