#!/usr/bin/env bash
# Runs the example against the ShoreGuard emulator with the real Pulumi CLI:
#   bash examples/pulumi/run.sh
# It builds the package, builds (or reuses) the Pulumi CLI from the Go module proxy, links this
# checkout as the example's `shoreguard-iac` dependency, then runs examples/pulumi/run.js
# (emulator → pulumi up → refresh → up with no changes expected → destroy).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
bash scripts/ensure-deps.sh
bash scripts/with-node.sh npm run build >&2
PULUMI_BIN="$(bash scripts/engines/build-pulumi.sh)"
mkdir -p examples/pulumi/node_modules
ln -sfn ../../.. examples/pulumi/node_modules/shoreguard-iac
exec bash scripts/with-node.sh node examples/pulumi/run.js "$PULUMI_BIN" "$@"
