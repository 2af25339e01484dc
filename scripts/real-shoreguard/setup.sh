#!/usr/bin/env bash
# Builds the real ShoreGuard (PyPI shoreguard==0.40.0) for tests: a Debian sid root with Python
# 3.14 (ShoreGuard needs >= 3.14; the host has older Python), a venv inside it, and a dump of the
# OpenShell protobuf descriptors the installed package was generated from. Idempotent: a marker
# file records a finished build and re-runs reuse it; a half-built root is thrown away and rebuilt.
# Non-interactive; needs root (debootstrap, chroot, unshare). Usage: setup.sh [--force]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap/chroot/unshare)"
export DEBIAN_FRONTEND=noninteractive
mkdir -p "$SG_CACHE"

# Concurrent test runs may call setup at the same time: one builds, the others wait and reuse it.
exec 9>"$SG_LOCK"
flock 9

if [ "${1:-}" = "--force" ]; then rm -f "$SG_READY_MARKER"; fi
if [ -f "$SG_READY_MARKER" ] && [ "$(cat "$SG_READY_MARKER")" = "shoreguard==$SG_VERSION" ] \
   && [ -f "$SG_ROOTFS/venv/bin/shoreguard" ] && [ -s "$SG_PROTO_DIR/openshell.proto.json" ]; then
  log "cached build found ($SG_ROOTFS, shoreguard==$SG_VERSION); nothing to do"
  exit 0
fi

started=$(date +%s)
rm -f "$SG_READY_MARKER"

# The Debian mirror is the one the host's apt uses (the only Debian source reachable here).
debian_mirror() {
  if [ -n "${SG_DEBIAN_MIRROR:-}" ]; then echo "$SG_DEBIAN_MIRROR"; return; fi
  local files=() f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  local uri
  uri=$( (grep -h -E '^\s*(URIs:|deb )' "${files[@]}" 2>/dev/null || true) \
    | sed -E 's/^\s*URIs:\s*//; s/^\s*deb\s+(\[[^]]*\]\s+)?//' | tr ' ' '\n' \
    | grep -E '^https?://.*/debian/?$' | head -n1)
  echo "${uri:-http://deb.debian.org/debian}"
}

# 1. debootstrap (only if missing on the host)
if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap with apt-get"
  apt-get update -qq
  apt-get install -y -qq debootstrap >/dev/null
fi

# 2. the sid root
if [ ! -f "$SG_ROOTFS/.debootstrap-complete" ]; then
  if rootfs_has_mounts; then die "something is still mounted under $SG_ROOTFS; unmount it first"; fi
  rm -rf "$SG_ROOTFS"
  mirror=$(debian_mirror)
  log "debootstrap sid (minbase + python3.14) from $mirror into $SG_ROOTFS (about a minute)"
  debootstrap --variant=minbase --include=python3.14,python3.14-venv,ca-certificates \
    sid "$SG_ROOTFS" "$mirror" > "$SG_CACHE/debootstrap.log" 2>&1 \
    || { tail -n 30 "$SG_CACHE/debootstrap.log" >&2; die "debootstrap failed (full log: $SG_CACHE/debootstrap.log)"; }
  touch "$SG_ROOTFS/.debootstrap-complete"
else
  log "reusing the sid root in $SG_ROOTFS"
fi

# 3. host network/TLS/pip configuration: pip inside the root must reach the same index through the
# same TLS-inspecting egress as pip on the host, so it gets the host's CA bundle and pip settings.
log "copying the host's CA bundle, resolv.conf and pip configuration into the root"
cp -L /etc/resolv.conf "$SG_ROOTFS/etc/resolv.conf" 2>/dev/null || true
host_bundle=${PIP_CERT:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}
[ -f "$host_bundle" ] || host_bundle=/etc/ssl/certs/ca-certificates.crt
cp -L "$host_bundle" "$SG_ROOTFS/etc/ssl/certs/host-ca-bundle.crt"
mkdir -p "$SG_ROOTFS/usr/local/share/ca-certificates"
if [ -d /usr/local/share/ca-certificates ]; then
  cp -L /usr/local/share/ca-certificates/*.crt "$SG_ROOTFS/usr/local/share/ca-certificates/" 2>/dev/null || true
fi
{
  echo "# written by scripts/real-shoreguard/setup.sh from the host's pip configuration"
  echo "[global]"
  echo "cert = /etc/ssl/certs/host-ca-bundle.crt"
  echo "disable-pip-version-check = true"
  echo "default-timeout = ${PIP_DEFAULT_TIMEOUT:-180}"
  # Index settings, if the host has any (e.g. a mirror); find-links only if it holds wheels.
  for key in index-url extra-index-url trusted-host; do
    val=$(pip config get "global.$key" 2>/dev/null || true)
    [ -n "$val" ] && echo "$key = $val"
  done
} > "$SG_ROOTFS/etc/pip.conf"
find_links=${PIP_FIND_LINKS:-$(pip config get global.find-links 2>/dev/null || true)}
if [ -n "$find_links" ] && [ -d "$find_links" ] && [ -n "$(ls -A "$find_links" 2>/dev/null)" ]; then
  log "host find-links $find_links holds wheels; copying them in"
  mkdir -p "$SG_ROOTFS/opt/host-wheels"
  cp -a "$find_links"/. "$SG_ROOTFS/opt/host-wheels/"
  echo "find-links = /opt/host-wheels" >> "$SG_ROOTFS/etc/pip.conf"
fi

# 4. venv + shoreguard
if [ ! -f "$SG_ROOTFS/venv/pyvenv.cfg" ]; then
  log "creating /venv with python3.14"
  in_rootfs python3.14 -m venv /venv
fi
# constraints.txt pins every transitive dependency (ShoreGuard's own are unpinned); greenlet is
# listed explicitly because SQLAlchemy 2.1 no longer pulls it in and every DB call needs it.
log "pip install shoreguard==$SG_VERSION greenlet (constrained by constraints.txt)"
cp "$SG_SCRIPTS/constraints.txt" "$SG_ROOTFS/tmp/sg-constraints.txt"
in_rootfs SSL_CERT_FILE=/etc/ssl/certs/host-ca-bundle.crt \
  /venv/bin/pip install --quiet --prefer-binary -c /tmp/sg-constraints.txt "shoreguard==$SG_VERSION" greenlet \
  > "$SG_CACHE/pip-install.log" 2>&1 \
  || { tail -n 30 "$SG_CACHE/pip-install.log" >&2; die "pip install failed (full log: $SG_CACHE/pip-install.log)"; }
in_rootfs /venv/bin/pip freeze > "$SG_CACHE/pip-freeze.txt"
log "installed: $(grep -i '^shoreguard==' "$SG_CACHE/pip-freeze.txt")"

# 5. the OpenShell protobuf definitions ShoreGuard was built against (ShoreGuard's files: they go
# to .cache/, never into the repo).
log "dumping the OpenShell protobuf descriptors to $SG_PROTO_DIR"
rm -rf "$SG_ROOTFS/tmp/sg-protos" "$SG_PROTO_DIR"
mkdir -p "$SG_ROOTFS/tmp/sg-protos"
cp "$SG_SCRIPTS/dump_protos.py" "$SG_ROOTFS/tmp/sg-protos/dump_protos.py"
in_rootfs /venv/bin/python /tmp/sg-protos/dump_protos.py /tmp/sg-protos/out >&2
mkdir -p "$SG_PROTO_DIR"
cp -a "$SG_ROOTFS/tmp/sg-protos/out"/. "$SG_PROTO_DIR/"
rm -rf "$SG_ROOTFS/tmp/sg-protos"

echo "shoreguard==$SG_VERSION" > "$SG_READY_MARKER"
log "done in $(( $(date +%s) - started )) s"
