#!/usr/bin/env bash
# Installs GitHub's published OpenAPI description for api.github.com, which the fake GitHub API server
# (test/env/github/) holds every request and response to, into <repo>/.cache/github-openapi/:
#   api.github.com.json   `generated/api.github.com.json` from the @octokit/openapi package
#
# The package is about 385 MB unpacked (it carries every GHES variant), so it is not a dependency:
# this fetches only its pinned tarball with `npm pack` (the npm registry, through npm's own cache),
# checks the tarball's integrity, and extracts the one file the tests read.
#
# Idempotent: a stamp names the pin and the run is a no-op while it matches. Safe to run concurrently
# (one flock). The tarball is deleted after extraction (it is ~25 MB and never read again).
#
# Usage: test/env/install-github-openapi.sh
set -euo pipefail

# --- pin --------------------------------------------------------------------------------------------
OPENAPI_VERSION="23.0.2"
# `npm view @octokit/openapi@23.0.2 dist.integrity`
OPENAPI_INTEGRITY="sha512-pV8M7L9GY23AybNvTmo2nyjmpmnt6+2sRE/tqr0ZLQcPS4lnw7u5eZGNmwRNkBC3D7gZXbFx5AHzLUVRBXGDhg=="
MEMBER="package/generated/api.github.com.json"
# ----------------------------------------------------------------------------------------------------

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/.cache"
DEST="$CACHE/github-openapi"
STAMP="$DEST/.stamp"
WANT="@octokit/openapi@$OPENAPI_VERSION $MEMBER"

log() { printf 'install-github-openapi: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

main() {
  local start tmp tarball actual
  start=$(date +%s%N)
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.install-github-openapi.lock"
  flock 9
  if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ] && [ -s "$DEST/api.github.com.json" ]; then
    log "@octokit/openapi $OPENAPI_VERSION: up to date ($(( ($(date +%s%N) - start) / 1000000 )) ms)"
    return 0
  fi
  command -v npm >/dev/null || die "npm is needed to fetch @octokit/openapi"
  tmp="$(mktemp -d "$CACHE/.build-github-openapi.XXXXXX")"
  # Expanded now: $tmp is local to main, gone when the EXIT trap runs.
  trap "rm -rf '$tmp'" EXIT
  log "@octokit/openapi $OPENAPI_VERSION: fetching the package tarball"
  # --ignore-scripts: nothing of the package runs here; we only want a file out of it.
  (cd "$tmp" && npm pack --silent --ignore-scripts --pack-destination "$tmp" "@octokit/openapi@$OPENAPI_VERSION" >/dev/null)
  tarball="$tmp/octokit-openapi-$OPENAPI_VERSION.tgz"
  [ -f "$tarball" ] || die "npm pack produced no $tarball"
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  [ "$actual" = "$OPENAPI_INTEGRITY" ] || die "integrity mismatch for $tarball: $actual"
  tar -xzf "$tarball" -C "$tmp" "$MEMBER"
  mkdir -p "$tmp/out"
  mv "$tmp/$MEMBER" "$tmp/out/api.github.com.json"
  # A half-written file must never look installed: parse it before the swap.
  node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$tmp/out/api.github.com.json" \
    || die "extracted description is not JSON"
  printf '%s' "$WANT" >"$tmp/out/.stamp"
  rm -rf "$DEST"
  mv "$tmp/out" "$DEST"
  log "@octokit/openapi $OPENAPI_VERSION: installed $(du -h "$DEST/api.github.com.json" | cut -f1) in $(( ($(date +%s%N) - start) / 1000000 )) ms"
}

# Everything runs from main, so bash has parsed the whole file before acting on it.
main "$@"
