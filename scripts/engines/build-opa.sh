#!/usr/bin/env bash
# Builds OPA (Open Policy Agent) from the Go module proxy into .cache/engines/opa/bin/. The tests
# use it to compile Rego policies to WebAssembly (`opa build -t wasm`), which the bridge then
# evaluates through @open-policy-agent/opa-wasm; users need it only to build their own bundles.
# OPA's go.mod has no replace directive, so a plain `go install pkg@version` works.
# Idempotent: an installed binary reporting the pinned version is reused. Prints the bin dir on
# stdout; progress on stderr.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OPA_VERSION="${OPA_VERSION:-1.22.4}"
OPA_BIN="$ENGINES_CACHE/opa/bin"

# `opa version` prints "Version: 1.22.4" first, then build and platform lines.
installed_version() { "$OPA_BIN/opa" version 2>/dev/null | sed -n 's/^Version: //p' | head -1 || true; }

main() {
  engines_lock opa
  if [ "$(installed_version)" = "$OPA_VERSION" ]; then
    engines_log "opa $OPA_VERSION already installed in $OPA_BIN"
    echo "$OPA_BIN"
    return 0
  fi
  engines_go_env
  mkdir -p "$OPA_BIN"
  local started
  started=$(date +%s)
  engines_log "building opa $OPA_VERSION (first run downloads modules and compiles for 3-10 min)"
  # The release's version.go already carries its version; -s -w strips symbols as OPA's release build does.
  GOBIN="$OPA_BIN" engines_nice go install \
    -ldflags "-s -w" \
    "github.com/open-policy-agent/opa@v$OPA_VERSION"
  engines_log "built opa in $(engines_elapsed "$started")s"
  local got
  got="$(installed_version)"
  [ "$got" = "$OPA_VERSION" ] || engines_die "built opa reports '$got', expected $OPA_VERSION"
  engines_log "opa $got ready in $OPA_BIN ($(du -h "$OPA_BIN/opa" | cut -f1))"
  echo "$OPA_BIN"
}

main "$@"
