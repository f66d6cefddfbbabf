#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests of the run page (test/e2e/run-page.test.ts),
# driven by playwright-core, which downloads no browser of its own. Idempotent and quiet when
# Chromium is already there; apt's package lists are refreshed only when the package is unknown.
#
# Usage: test/env/install-chromium.sh
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
log() { printf 'install-chromium: %s\n' "$*" >&2; }
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show chromium >/dev/null 2>&1; then
  log "refreshing apt's package lists"
  $SUDO apt-get update -qq
fi
log "installing chromium (Debian package)"
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null || { log "error: chromium is still missing after apt-get install"; exit 1; }
log "chromium $(chromium --version 2>/dev/null | awk '{print $2}') installed"
