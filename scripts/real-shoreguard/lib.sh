# Shared paths and helpers for the real-ShoreGuard scripts (sourced, not executed).
# Everything lives in the git-ignored .cache/ so a fresh checkout rebuilds it from scratch.
SG_VERSION="0.40.0"
SG_REPO_ROOT="$(cd "$(dirname "$(realpath "${BASH_SOURCE[0]}")")/../.." && pwd -P)"
SG_SCRIPTS="$SG_REPO_ROOT/scripts/real-shoreguard"
SG_CACHE="$SG_REPO_ROOT/.cache"
SG_ROOTFS="$SG_CACHE/sid-root"
SG_PROTO_DIR="$SG_CACHE/openshell-protos"
SG_READY_MARKER="$SG_CACHE/real-shoreguard.ready"
SG_LOCK="$SG_CACHE/real-shoreguard.lock"

log() { printf '[real-shoreguard] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Runs a command inside the sid root (see in-rootfs.sh).
in_rootfs() { "$SG_SCRIPTS/in-rootfs.sh" "$@"; }

# True when anything is mounted below the root (then it must not be deleted).
rootfs_has_mounts() {
  [ -d "$SG_ROOTFS" ] && awk -v r="$(realpath "$SG_ROOTFS")" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/self/mounts
}
