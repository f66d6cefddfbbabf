#!/usr/bin/env bash
# `npm run image -- [--output FILE] [--tag NAME]`: builds Skiff's container image as an OCI archive
# (build/image/main.ts), without a container engine or a registry. Installs what it needs with the
# project's own scripts: the dependencies (npm ci, when node_modules is missing), Node.js 24 for the
# image (scripts/node-lts.sh, from the npm registry) and Debian's static busybox
# (scripts/busybox-static.sh). Compiles first, so the image carries the current source.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for tool in node npm tar ldd cp find flock; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "build-image: missing ${missing[*]}; install them (Node.js 20 or newer with npm, GNU tar, coreutils, findutils, util-linux, libc's ldd) and run again" >&2
  exit 1
fi
[ "$(uname -m)" = x86_64 ] || { echo "build-image: the image is built for linux/amd64 and must be built on an x86_64 Linux machine, not $(uname -s)/$(uname -m)" >&2; exit 1; }

[ -d node_modules ] || { echo "build-image: installing the dependencies (npm ci)" >&2; npm ci --no-audit --no-fund >&2; }
echo "build-image: compiling" >&2
npx tsc -p tsconfig.json
bash scripts/node-lts.sh 24 >/dev/null
bash scripts/busybox-static.sh >/dev/null
exec node dist/build/image/main.js "$@"
