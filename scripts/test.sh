#!/usr/bin/env bash
# The README's test command: installs what the tests need (Node >= 22, npm packages, the real peers used by the
# conformance and end-to-end suites), type-checks, builds, runs every jest project and ends with one plain line
# "N passed, N failed" that sums every suite run (type check included).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WITH_NODE="bash $ROOT/scripts/with-node.sh"
RESULTS="$ROOT/test-results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"

step() { printf '\n== %s\n' "$*" >&2; }

step "install npm packages"
bash "$ROOT/scripts/ensure-deps.sh" || { echo "0 passed, 1 failed"; exit 1; }

# The real peers the conformance and end-to-end suites drive. Each script reuses its cached build under
# .cache/ and builds from scratch on a fresh machine; the tests would build them too, but doing it here
# keeps parallel jest workers from waiting on one another and shows the time it takes.
peers_failed=0
step "real peers: ShoreGuard 0.40.0 (Debian sid root), Pulumi CLI, OpenTofu, OPA"
if ! bash "$ROOT/scripts/real-shoreguard/setup.sh" >&2; then peers_failed=1; fi
if ! bash "$ROOT/scripts/engines/build-all.sh" >&2; then peers_failed=1; fi

typecheck_failed=0
step "type check (tsc --noEmit)"
if ! $WITH_NODE npx tsc -p tsconfig.json --noEmit; then typecheck_failed=1; fi

step "build (tsc -p tsconfig.build.json)"
build_failed=0
if ! $WITH_NODE npx tsc -p tsconfig.build.json; then build_failed=1; fi

# The single executables for this machine's platform (npm run release): the e2e-release jest project runs the
# OpenTofu and real-ShoreGuard suites against them. A failed release build counts as a failed build.
step "release build (this platform)"
release_started=$(date +%s)
if [ $build_failed -ne 0 ] || ! $WITH_NODE node dist/scripts/release/build.js --platforms host >&2; then build_failed=1; fi
echo "release build: $(( $(date +%s) - release_started )) s" >&2

step "jest"
# --ci: snapshots are never written; results go to JSON so this script, not jest, prints the summary.
$WITH_NODE npx jest --ci --json --outputFile="$RESULTS/jest.json" "$@"
jest_rc=$?

# The conformance score (emulator vs real ShoreGuard), when the suite ran.
if [ -f "$RESULTS/conformance.txt" ]; then
  echo "conformance: $(grep -m1 'cases identical' "$RESULTS/conformance.txt")"
fi
$WITH_NODE node "$ROOT/scripts/test-summary.js" "$RESULTS/jest.json" "$typecheck_failed" "$build_failed" "$peers_failed"
summary_rc=$?
if [ $jest_rc -ne 0 ] || [ $summary_rc -ne 0 ]; then exit 1; fi
exit 0
