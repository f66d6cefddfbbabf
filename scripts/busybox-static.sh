#!/usr/bin/env bash
# Unpacks Debian's busybox-static (the package's files, not installed: the host keeps whatever
# busybox it has) into .cache/node/busybox, with its version in .version so the image builder
# (build/image/) can key its cache on it, and prints the binary's path. Idempotent and quiet when
# it is there already. Needs apt-get (Debian or Ubuntu); says so otherwise.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${SKIFF_CACHE_DIR:-$REPO_ROOT/.cache}"
NODE_DIR="$CACHE_DIR/node"
dir="$NODE_DIR/busybox"

if [ ! -x "$dir/bin/busybox" ] || [ ! -f "$dir/.version" ]; then
  for tool in apt-get dpkg-deb; do
    command -v "$tool" >/dev/null || {
      echo "busybox-static: $tool is missing; this step needs Debian's busybox-static package (Debian or Ubuntu)." >&2
      echo "  Elsewhere, put a static busybox at $dir/bin/busybox and its version in $dir/.version" >&2
      exit 1
    }
  done
  mkdir -p "$NODE_DIR"
  # Two builds may start at once; one downloads while the other waits.
  exec 9>"$NODE_DIR/.busybox.lock"
  flock 9
  if [ ! -x "$dir/bin/busybox" ] || [ ! -f "$dir/.version" ]; then
    echo "busybox-static: downloading busybox-static from Debian" >&2
    tmp="$(mktemp -d "$NODE_DIR/.busybox.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    # The package lists may be missing or stale on a fresh machine: refresh them once and retry.
    (cd "$tmp" && apt-get download -qq busybox-static >/dev/null 2>&1) ||
      (apt-get update -qq && cd "$tmp" && apt-get download -qq busybox-static >/dev/null)
    deb="$(ls "$tmp"/busybox-static_*.deb)"
    dpkg-deb -x "$deb" "$tmp/root"
    dpkg-deb -f "$deb" Version >"$tmp/root/.version"
    rm -rf "$dir"
    mv "$tmp/root" "$dir"
  fi
fi
echo "$dir/bin/busybox"
