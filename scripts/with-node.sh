#!/usr/bin/env bash
# Runs a command with Node >= 22 on PATH. The machine's Node may be older (Node 20 is end-of-life
# and undici/@pulumi/pulumi need >= 22), so Node 24 is installed from the npm registry package
# `node` into the git-ignored .cache/node and reused on later runs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_CACHE="$ROOT/.cache/node"

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if command -v node >/dev/null 2>&1 && [ "$(node_major node)" -ge 22 ]; then
  :
else
  if [ ! -x "$NODE_CACHE/node_modules/node/bin/node" ]; then
    echo "with-node: machine Node is older than 22; installing node@24 from the npm registry into .cache/node" >&2
    mkdir -p "$NODE_CACHE"
    npm install --no-save --no-package-lock --prefix "$NODE_CACHE" node@24 >&2
  fi
  export PATH="$NODE_CACHE/node_modules/node/bin:$PATH"
fi
exec "$@"
