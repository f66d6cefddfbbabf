#!/usr/bin/env bash
# Installs the Debian packages Skiff needs on this machine, once: bubblewrap (the sandbox local
# steps run in), git (its http-backend serves test repositories), openssl (test certificates),
# ncat (the `nc` of alpine and busybox images, for steps the local runtime runs).
# Idempotent and quiet when everything is present; needs root (or sudo) only when something is
# missing, and then says exactly what to install if it cannot.
set -euo pipefail

packages=(bubblewrap git openssl ncat)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "setup: please install these Debian packages: ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
