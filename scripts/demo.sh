#!/usr/bin/env bash
# The README's first command: installs what is needed (Node >= 22, npm packages), builds, and runs the demo
# against the bundled ShoreGuard emulator.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/ensure-deps.sh
bash scripts/with-node.sh npx tsc -p tsconfig.build.json
exec bash scripts/with-node.sh node dist/cli/shoreguard-iac.js demo "$@"
