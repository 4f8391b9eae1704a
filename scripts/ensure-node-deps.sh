#!/usr/bin/env bash
# Installs the npm packages with `npm ci` when node_modules is missing or was installed from
# another package-lock.json. Quiet when nothing needs doing.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.installed-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "Installing npm packages (npm ci)…"
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
