#!/usr/bin/env bash
# Shared helpers for the engine build scripts (sourced, not run). Everything lands under the
# git-ignored .cache/engines/ so a second run on the same machine reuses the binaries.
set -euo pipefail

ENGINES_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ENGINES_CACHE="${SHOREGUARD_ENGINES_CACHE:-$ENGINES_ROOT/.cache/engines}"

# Progress goes to stderr so callers can capture stdout (e.g. the bin dir) cleanly.
engines_log() { printf '[engines %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
engines_die() { engines_log "ERROR: $*"; exit 1; }

# Go settings for builds on a small shared machine: bounded parallelism, reproducible paths, no VCS
# stamping (module zips carry no .git), and never an implicit toolchain download.
engines_go_env() {
  command -v go >/dev/null 2>&1 || engines_die "go is not on PATH (Go >= 1.25 is needed to build the engines)"
  export GOTOOLCHAIN=local
  export GOFLAGS="-p=${ENGINES_GO_PARALLEL:-2} -buildvcs=false -trimpath"
  export CGO_ENABLED=0
}

# Serialises builds of one engine across processes (several test runs may start at once on this
# machine); the lock is held until the calling script exits. Callers re-check "installed?" after.
engines_lock() {
  local name="$1" lock_fd
  mkdir -p "$ENGINES_CACHE"
  exec {lock_fd}>"$ENGINES_CACHE/.$name.lock"
  if ! flock -n "$lock_fd"; then
    engines_log "waiting for another build of $name to finish"
    flock "$lock_fd"
  fi
}

# Runs a command at low CPU priority.
engines_nice() { nice -n 10 "$@"; }

# Prints elapsed seconds since the given `date +%s` value.
engines_elapsed() { echo $(( $(date +%s) - $1 )); }
