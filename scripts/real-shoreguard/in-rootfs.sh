#!/usr/bin/env bash
# Runs a command inside the sid root built by setup.sh, with a clean environment plus any leading
# NAME=VALUE arguments:  in-rootfs.sh [NAME=VALUE ...] COMMAND [ARGS ...]
# /proc and /dev are mounted in a private mount namespace, so they vanish with the last process in
# it: nothing stays mounted on the host and the root can always be deleted. The chroot shares the
# host network, so a server bound to 127.0.0.1 inside it is reachable from the host. The command
# keeps this script's pid (every step execs), which lets callers signal it directly.
set -euo pipefail
ROOTFS="$(cd "$(dirname "$(realpath "${BASH_SOURCE[0]}")")/../.." && pwd -P)/.cache/sid-root"
[ -x "$ROOTFS/usr/bin/env" ] || { echo "in-rootfs: no sid root at $ROOTFS; run scripts/real-shoreguard/setup.sh" >&2; exit 1; }
exec unshare --mount --propagation private -- /bin/sh -c '
  root="$1"; shift
  mount -t proc proc "$root/proc" || exit 90
  mount --rbind /dev "$root/dev" || exit 91
  exec chroot "$root" /usr/bin/env -i PATH=/venv/bin:/usr/local/bin:/usr/bin:/bin HOME=/root LANG=C.UTF-8 "$@"
' in-rootfs "$ROOTFS" "$@"
