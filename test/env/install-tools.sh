#!/usr/bin/env bash
# Installs the real third-party components the end-to-end tests run against, into <repo>/.cache/:
#   bin/minio, bin/helm, bin/kubeconform   built from source through the Go module proxy
#   kubernetes-json-schema/vX.Y.Z-local{,-strict}/   Kubernetes JSON schemas for kubeconform, taken
#       from the kubernetes-validate wheel on PyPI (kubeconform would otherwise download them)
#
# Idempotent: each item writes a stamp naming its pin and is skipped while the stamp matches, so a
# second run does nothing. Safe to run concurrently (one flock). Builds run under `nice`.
#
# Usage: test/env/install-tools.sh [minio] [helm] [kubeconform] [kube-schemas]   (default: all)
set -euo pipefail

# Pins live in one file for the whole test environment.
# shellcheck source=versions.env
source "$(dirname "${BASH_SOURCE[0]}")/versions.env"

NICE_LEVEL="${SKIFF_TOOLS_NICE:-10}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/.cache"
BIN="$CACHE/bin"
SCHEMAS="$CACHE/kubernetes-json-schema"
DOWNLOADS="$CACHE/downloads"

log() { printf 'install-tools: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

is_current() { # stamp-file expected-content
  [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]
}

# go_tool NAME PACKAGE VERSION [extra go install flags...]
go_tool() {
  local name="$1" pkg="$2" version="$3"; shift 3
  local stamp="$BIN/.$name.stamp" want="$pkg@$version $*"
  if [ -x "$BIN/$name" ] && is_current "$stamp" "$want"; then
    log "$name $version: up to date"
    return 0
  fi
  command -v go >/dev/null || die "go is not installed; $name is built from source with the Go toolchain"
  log "$name $version: building $pkg (this can take minutes)"
  local tmp start
  tmp="$(mktemp -d "$CACHE/.build-$name.XXXXXX")"
  start=$(date +%s)
  # -trimpath and -s -w keep the binaries reproducible and small; CGO off matches upstream releases.
  if ! GOBIN="$tmp" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -buildvcs=false" \
      nice -n "$NICE_LEVEL" go install -trimpath "$@" "$pkg@$version"; then
    rm -rf "$tmp"
    die "building $name failed"
  fi
  mv -f "$tmp/$name" "$BIN/$name"
  rm -rf "$tmp"
  printf '%s' "$want" >"$stamp"
  log "$name $version: built in $(($(date +%s) - start))s"
}

install_minio() {
  go_tool minio github.com/minio/minio "$MINIO_MODULE_VERSION" -ldflags "-s -w"
}

install_helm() {
  go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" -ldflags "-s -w \
-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$HELM_K8S_VERSION_MAJOR \
-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$HELM_K8S_VERSION_MINOR \
-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=$HELM_K8S_VERSION_MAJOR \
-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$HELM_K8S_VERSION_MINOR"
}

install_kubeconform() {
  go_tool kubeconform github.com/yannh/kubeconform/cmd/kubeconform "$KUBECONFORM_VERSION" \
    -ldflags "-s -w -X main.version=$KUBECONFORM_VERSION"
}

install_kube_schemas() {
  local stamp="$SCHEMAS/.stamp" want="kubernetes-validate==$KUBE_SCHEMA_WHEEL_VERSION k8s=$KUBE_SCHEMA_K8S_VERSION id-dropped"
  if is_current "$stamp" "$want"; then
    log "kube-schemas $KUBE_SCHEMA_K8S_VERSION: up to date"
    return 0
  fi
  local wheel="$DOWNLOADS/kubernetes_validate-$KUBE_SCHEMA_WHEEL_VERSION-py3-none-any.whl"
  if [ ! -f "$wheel" ] || ! echo "$KUBE_SCHEMA_WHEEL_SHA256  $wheel" | sha256sum -c --status; then
    command -v python3 >/dev/null || die "python3 (with pip) is needed to fetch the schema wheel"
    log "kube-schemas: downloading kubernetes-validate $KUBE_SCHEMA_WHEEL_VERSION from PyPI"
    rm -f "$wheel"
    python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$DOWNLOADS" \
      "kubernetes-validate==$KUBE_SCHEMA_WHEEL_VERSION" >&2
  fi
  echo "$KUBE_SCHEMA_WHEEL_SHA256  $wheel" | sha256sum -c --status \
    || die "checksum mismatch for $wheel"
  local tmp
  tmp="$(mktemp -d "$CACHE/.build-schemas.XXXXXX")"
  # Each schema names itself "https://kubernetes.io/api/..." ($id) and refers to the shared definitions
  # as "/api/_definitions.json", so kubeconform (which only loads files by path) would look them up on
  # the internet. Drop the $id and make the reference relative: it then resolves to the sibling file.
  python3 - "$wheel" "$tmp" "v$KUBE_SCHEMA_K8S_VERSION" <<'PY'
import json, os, sys, zipfile
wheel, out, version = sys.argv[1:4]
prefix = "kubernetes_validate/kubernetes-json-schema/"
dirs = {version + "-local", version + "-local-strict"}
count = 0
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if not name.startswith(prefix) or name.endswith("/"):
            continue
        rel = name[len(prefix):]
        if rel.split("/", 1)[0] not in dirs:
            continue
        text = z.read(name).decode("utf-8").replace('"/api/_definitions.json#', '"_definitions.json#')
        schema = json.loads(text)
        if isinstance(schema, dict):
            schema.pop("$id", None)
        dest = os.path.join(out, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w", encoding="utf-8") as f:
            json.dump(schema, f, separators=(",", ":"))
        count += 1
if count == 0:
    sys.exit(f"no schemas for {version} in {wheel}")
print(f"install-tools: kube-schemas {version}: {count} files", file=sys.stderr)
PY
  printf '%s\n' "$KUBE_SCHEMA_K8S_VERSION" >"$tmp/VERSION"
  printf '%s' "$want" >"$tmp/.stamp"
  rm -rf "$SCHEMAS"
  mv "$tmp" "$SCHEMAS"
}

main() {
  local targets=("$@") t start
  mkdir -p "$BIN" "$DOWNLOADS"
  # One installer at a time (a second one waits, then finds everything up to date).
  exec 9>"$CACHE/.install-tools.lock"
  flock 9
  [ "${#targets[@]}" -gt 0 ] || targets=(minio helm kubeconform kube-schemas)
  for t in "${targets[@]}"; do
    start=$(date +%s%N)
    case "$t" in
      minio) install_minio ;;
      helm) install_helm ;;
      kubeconform) install_kubeconform ;;
      kube-schemas) install_kube_schemas ;;
      *) die "unknown target '$t' (expected minio, helm, kubeconform or kube-schemas)" ;;
    esac
    log "$t: $(( ($(date +%s%N) - start) / 1000000 )) ms"
  done
}

# Everything runs from main, so bash has parsed the whole file before acting on it.
main "$@"
