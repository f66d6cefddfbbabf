#!/usr/bin/env bash
# Installs what the test environment's real Kubernetes node needs besides the kubelet (which
# test/env/install-kube.sh builds): Debian's containerd, runc and CNI plugins, and a static busybox
# unpacked into <repo>/.cache/node/ (scripts/busybox-static.sh) for the images build/image/ assembles.
# Idempotent and quiet when everything is present; nothing is started here (test/env/kube-node/
# starts the node per test).
#
# Why Debian's containerd 1.6: it runs the CRI v1 API the 1.36 kubelet speaks, and needs no build.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE_DIR="${SKIFF_CACHE_DIR:-$REPO_ROOT/.cache}"
NODE_DIR="$CACHE_DIR/node"

log() { printf '[install-node] %s\n' "$*" >&2; }

PACKAGES=(containerd runc containernetworking-plugins)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

ensure_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  log "installing ${missing[*]} from Debian"
  apt-get update -qq
  # No service is started: the test node runs its own containerd with its own paths and socket.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

main() {
  mkdir -p "$NODE_DIR"
  # Two test files may start at once; one installs while the other waits.
  exec 9>"$CACHE_DIR/.install-node.lock"
  flock 9
  ensure_packages
  bash "$REPO_ROOT/scripts/busybox-static.sh" >/dev/null
  for tool in containerd containerd-shim-runc-v2 ctr runc; do
    command -v "$tool" >/dev/null || { log "$tool is missing after the install"; exit 1; }
  done
  [ -x /usr/lib/cni/bridge ] || { log "/usr/lib/cni/bridge is missing after the install"; exit 1; }
}

main "$@"
