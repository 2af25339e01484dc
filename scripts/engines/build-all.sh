#!/usr/bin/env bash
# Builds (or reuses) every real IaC engine the e2e tests need: the Pulumi CLI with its Node.js
# language host, and OpenTofu. One after the other: the machine has 2 cores shared by everyone.
# Afterwards `source scripts/engines/env.sh` puts them on PATH.
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
source "$here/lib.sh"

started=$(date +%s)
bash "$here/build-pulumi.sh" >/dev/null
bash "$here/build-tofu.sh" >/dev/null
engines_log "all engines ready in $(engines_elapsed "$started")s; use: source scripts/engines/env.sh"
