#!/usr/bin/env bash
# npm ci when node_modules is missing or older than package-lock.json; a no-op otherwise, so repeated test runs
# stay fast while a fresh clone installs everything.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
STAMP="node_modules/.shoreguard-iac-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi
bash scripts/with-node.sh npm ci --no-audit --no-fund
echo "$want" > "$STAMP"
