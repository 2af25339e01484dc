#!/usr/bin/env bash
# Builds OpenTofu from the Go module proxy into .cache/engines/tofu/bin/. v1.6.x is the newest line
# whose go.mod has no replace directive, so a plain `go install pkg@version` works; v1.7+ replaces
# hashicorp/hcl with opentofu's fork and would need a wrapper module like build-pulumi.sh.
# Idempotent: an installed binary reporting the pinned version is reused. Prints the bin dir on
# stdout; progress on stderr.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TOFU_VERSION="${TOFU_VERSION:-1.6.3}"
TOFU_BIN="$ENGINES_CACHE/tofu/bin"

# `tofu version` prints "OpenTofu v1.6.3" first, then platform/provider lines.
installed_version() { "$TOFU_BIN/tofu" version 2>/dev/null | sed -n '1s/^OpenTofu //p' || true; }

main() {
  engines_lock tofu
  if [ "$(installed_version)" = "v$TOFU_VERSION" ]; then
    engines_log "tofu v$TOFU_VERSION already installed in $TOFU_BIN"
    echo "$TOFU_BIN"
    return 0
  fi
  engines_go_env
  mkdir -p "$TOFU_BIN"
  local started
  started=$(date +%s)
  engines_log "building tofu v$TOFU_VERSION (first run downloads modules and compiles for 5-15 min)"
  # As in OpenTofu's release build: strip symbols, and dev=no drops the "-dev" version suffix.
  GOBIN="$TOFU_BIN" engines_nice go install \
    -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
    "github.com/opentofu/opentofu/cmd/tofu@v$TOFU_VERSION"
  engines_log "built tofu in $(engines_elapsed "$started")s"
  local got
  got="$(installed_version)"
  [ "$got" = "v$TOFU_VERSION" ] || engines_die "built tofu reports '$got', expected v$TOFU_VERSION"
  engines_log "tofu $got ready in $TOFU_BIN ($(du -h "$TOFU_BIN/tofu" | cut -f1))"
  echo "$TOFU_BIN"
}

main "$@"
