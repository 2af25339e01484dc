#!/usr/bin/env bash
# Stops a ShoreGuard started by start.sh and deletes its temp dir. Argument: the instance JSON
# path that start.sh printed (or the run dir). Safe to call twice.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

target=${1:?usage: stop.sh <instance.json | run dir>}
run_dir=$target
[ -d "$run_dir" ] || run_dir=$(dirname "$target")
run_dir=$(realpath -m "$run_dir")
case "$run_dir" in
  "$(realpath -m "$SG_ROOTFS")"/tmp/sg-run.*) ;;
  *) die "refusing to touch $run_dir: not a start.sh run dir" ;;
esac

pid=""
if [ -f "$run_dir/instance.json" ]; then
  pid=$(sed -n 's/^ *"pid": *\([0-9][0-9]*\),*$/\1/p' "$run_dir/instance.json")
fi
if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid ignored SIGTERM for 5 s; sending SIGKILL"
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
fi
rm -rf "$run_dir"
log "stopped${pid:+ pid $pid} and removed $run_dir"
