#!/usr/bin/env bash
# Runs a command with Node >= 22.12 on PATH. The machine's Node may be older (Node 20 is end-of-life
# and undici/@pulumi/pulumi need >= 22), so Node 24 is installed from the npm registry package
# `node` into the git-ignored .cache/node and reused on later runs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_CACHE="$ROOT/.cache/node"

# 22.12 is the first 22.x that can require() an ES module (the CEL library of the policy gates is one).
node_ok() { "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) ? 0 : 1)' 2>/dev/null; }

if command -v node >/dev/null 2>&1 && node_ok node; then
  :
else
  if [ ! -x "$NODE_CACHE/node_modules/node/bin/node" ]; then
    echo "with-node: machine Node is older than 22.12; installing node@24 from the npm registry into .cache/node" >&2
    mkdir -p "$NODE_CACHE"
    npm install --no-save --no-package-lock --prefix "$NODE_CACHE" node@24 >&2
  fi
  export PATH="$NODE_CACHE/node_modules/node/bin:$PATH"
fi
exec "$@"
