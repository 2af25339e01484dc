#!/usr/bin/env bash
# Starts a throw-away real ShoreGuard 0.40.0 on 127.0.0.1 (a free port) for tests, builds it first
# with setup.sh when the cache is absent, and prints the path of a JSON file (mode 0600, it holds
# API keys) on stdout:
#   {"url", "keys": {"admin","operator","operator2","viewer"}, "pid", "tmpdir", "log",
#    "admin_user": {"email","password"}, "version"}
# Fresh SQLite and XDG_CONFIG_HOME in a temp dir; local mode (loopback gateway endpoints allowed),
# loopback webhook delivery allowed, plaintext gateways allowed, rate limits raised; the admin user
# admin@example.com (random password) and service principals sp:ts-admin (CLI, before start),
# sp:ts-operator1, sp:ts-operator2, sp:ts-viewer (REST API). Stop it with stop.sh <that file>.
# Knobs: SG_START_TIMEOUT (s, default 90); SHOREGUARD_* variables in the caller's environment are
# passed through and win over the defaults below (e.g. SHOREGUARD_GATEWAY_BACKOFF_MIN).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$SG_SCRIPTS/setup.sh" >&2

# The run dir lives inside the root so the chrooted server sees it as /tmp/<name>.
run_dir=$(mktemp -d "$SG_ROOTFS/tmp/sg-run.XXXXXX")
chmod 700 "$run_dir"
in_root_dir="/tmp/$(basename "$run_dir")"
server_pid=""
cleanup_on_error() {
  if [ -n "$server_pid" ]; then kill -KILL -- "-$server_pid" 2>/dev/null || true; fi
  if [ -f "$run_dir/server.log" ]; then log "server log tail:"; tail -n 40 "$run_dir/server.log" >&2; fi
  rm -rf "$run_dir"
}
trap cleanup_on_error ERR

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

sg_env=(
  "SHOREGUARD_DATABASE_URL=sqlite:///$in_root_dir/shoreguard.db"
  "XDG_CONFIG_HOME=$in_root_dir/config"
  "SHOREGUARD_SECRET_KEY=$(random_hex 32)"
  "SHOREGUARD_HOST=127.0.0.1"
  "SHOREGUARD_RELOAD=false"
  "SHOREGUARD_LOG_LEVEL=info"
  "SHOREGUARD_LOCAL_MODE=true"
  # Loopback exempt from the SSRF guard: local mode alone still blocks webhook *delivery* to
  # 127.0.0.1; with this a test can receive ShoreGuard's webhooks on a loopback listener.
  "SHOREGUARD_SSRF_ALLOWED_IPS=127.0.0.1/32"
  "SHOREGUARD_GATEWAY_REQUIRE_MTLS=false"
  "SHOREGUARD_WEBHOOK_ONE_TAP_APPROVALS=false"
  "SHOREGUARD_GLOBAL_RATE_LIMIT_ATTEMPTS=1000000"
  "SHOREGUARD_WRITE_RATE_LIMIT_ATTEMPTS=1000000"
  "SHOREGUARD_LOGIN_RATE_LIMIT_ATTEMPTS=1000000"
  "SHOREGUARD_ACCOUNT_LOCKOUT_ATTEMPTS=1000000"
)
# Caller overrides (env -i inside the root would drop them otherwise).
while IFS='=' read -r name _; do
  [ -n "$name" ] && sg_env+=("$name=${!name}")
done < <(env | grep -E '^SHOREGUARD_[A-Z0-9_]+=' || true)

admin_email="admin@example.com"
admin_password="pw-$(random_hex 12)"
mkdir -p "$run_dir/config"

log "creating admin user and admin service principal (CLI, before start)"
in_rootfs "${sg_env[@]}" shoreguard create-user "$admin_email" --role admin --password "$admin_password" > "$run_dir/cli.log" 2>&1
sp_out=$(in_rootfs "${sg_env[@]}" shoreguard create-service-principal ts-admin --role admin 2>>"$run_dir/cli.log")
admin_key=$(printf '%s\n' "$sp_out" | sed -n 's/^API key: //p')
[ -n "$admin_key" ] || { log "create-service-principal printed no 'API key:' line"; false; }

log "starting shoreguard on 127.0.0.1 (free port)"
# setsid: the server leads its own process group, so stop.sh can signal the group.
setsid "$SG_SCRIPTS/in-rootfs.sh" "${sg_env[@]}" shoreguard --host 127.0.0.1 --port 0 --no-reload \
  > "$run_dir/server.log" 2>&1 < /dev/null &
server_pid=$!

deadline=$(( $(date +%s) + ${SG_START_TIMEOUT:-90} ))
port=""
while [ -z "$port" ]; do
  kill -0 "$server_pid" 2>/dev/null || { log "shoreguard exited during start-up"; false; }
  [ "$(date +%s)" -lt "$deadline" ] || { log "shoreguard did not report its port in time"; false; }
  port=$(sed -n 's#.*Uvicorn running on http://127\.0\.0\.1:\([0-9][0-9]*\).*#\1#p' "$run_dir/server.log" | head -n1)
  [ -n "$port" ] || sleep 0.2
done
url="http://127.0.0.1:$port"
until curl -fsS -o /dev/null "$url/healthz"; do
  [ "$(date +%s)" -lt "$deadline" ] || { log "/healthz did not answer 200 in time"; false; }
  sleep 0.2
done

create_sp() { # name role -> key, through the REST API with the admin key
  local body
  body=$(curl -fsS -X POST "$url/api/auth/service-principals" \
    -H "Authorization: Bearer $admin_key" -H 'content-type: application/json' \
    -d "{\"name\":\"$1\",\"role\":\"$2\"}")
  printf '%s' "$body" | sed -n 's/.*"key":"\(sg_[A-Za-z0-9_-]*\)".*/\1/p'
}
operator_key=$(create_sp ts-operator1 operator)
operator2_key=$(create_sp ts-operator2 operator)
viewer_key=$(create_sp ts-viewer viewer)
for k in "$operator_key" "$operator2_key" "$viewer_key"; do
  [ -n "$k" ] || { log "service-principal creation through the API returned no key"; false; }
done

info="$run_dir/instance.json"
umask 077
cat > "$info" <<JSON
{
  "url": "$url",
  "keys": {"admin": "$admin_key", "operator": "$operator_key", "operator2": "$operator2_key", "viewer": "$viewer_key"},
  "pid": $server_pid,
  "tmpdir": "$run_dir",
  "log": "$run_dir/server.log",
  "admin_user": {"email": "$admin_email", "password": "$admin_password"},
  "version": "$SG_VERSION"
}
JSON
trap - ERR
log "shoreguard $SG_VERSION up at $url (pid $server_pid, dir $run_dir)"
echo "$info"
