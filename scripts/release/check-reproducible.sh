#!/usr/bin/env bash
# Builds the release twice from the same checkout into two scratch directories and compares what a
# user checks: the SHA256SUMS files, the signatures, and every binary. Prints the files that differ
# and exits 1 if any does. Usage: scripts/release/check-reproducible.sh [--platforms host|linux_amd64,...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
platforms="${2:-host}"
[ "${1:-}" = "--platforms" ] || platforms=host
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
bash scripts/with-node.sh npx tsc -p tsconfig.build.json
for n in 1 2; do
  bash scripts/with-node.sh node dist/scripts/release/build.js --platforms "$platforms" --out "$scratch/$n" >&2
done
differ=0
while IFS= read -r file; do
  if ! cmp -s "$scratch/1/$file" "$scratch/2/$file"; then echo "differs: $file"; differ=1; fi
done < <(cd "$scratch/1" && find bin gitops provider mirror registry -type f | sort)
if [ $differ -eq 0 ]; then echo "reproducible: both builds are byte-identical ($(cd "$scratch/1" && find bin gitops provider mirror registry -type f | wc -l) files)"; fi
cat "$scratch/1/provider/"*_SHA256SUMS
exit $differ
