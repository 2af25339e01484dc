#!/usr/bin/env bash
# Builds (or reuses) every real engine the tests need: the Pulumi CLI with its Node.js language
# host, OpenTofu, and OPA (compiles the Rego rules of the policy-gate tests to wasm). One after the other: the machine has 2 cores shared by everyone.
# Afterwards `source scripts/engines/env.sh` puts them on PATH.
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
source "$here/lib.sh"

started=$(date +%s)
bash "$here/build-pulumi.sh" >/dev/null
bash "$here/build-tofu.sh" >/dev/null
bash "$here/build-opa.sh" >/dev/null
engines_log "all engines ready in $(engines_elapsed "$started")s; use: source scripts/engines/env.sh"
