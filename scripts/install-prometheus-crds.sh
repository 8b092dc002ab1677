#!/usr/bin/env bash
# Copies the Prometheus Operator CRDs the chart renders objects of (ServiceMonitor, PrometheusRule)
# out of the Go module github.com/prometheus-operator/prometheus-operator, via the Go module proxy:
#   $CACHE/prometheus-crds-<ver>/monitoring.coreos.com_servicemonitors.yaml
#   $CACHE/prometheus-crds-<ver>/monitoring.coreos.com_prometheusrules.yaml
# CACHE is ${MODELGUARD_CACHE:-$HOME/.cache/modelguard}. The version is pinned in
# test/helm/versions.env. Idempotent: files already in the cache are kept, so a second run returns
# at once. Used by the chart tests (test/helm/), which load them into the test apiserver.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=../test/helm/versions.env
source "$ROOT/test/helm/versions.env"
CACHE="${MODELGUARD_CACHE:-$HOME/.cache/modelguard}"
MODULE="github.com/prometheus-operator/prometheus-operator"
DEST="$CACHE/prometheus-crds-$PROMETHEUS_OPERATOR_VERSION"
STAMP="$DEST/.installed"
CRDS=(monitoring.coreos.com_servicemonitors.yaml monitoring.coreos.com_prometheusrules.yaml)

log() { echo "install-prometheus-crds: $*"; }
fail() {
  echo "install-prometheus-crds: $*" >&2
  exit 1
}

if [[ -f "$STAMP" ]]; then
  log "Prometheus Operator CRDs $PROMETHEUS_OPERATOR_VERSION cached: $DEST"
  exit 0
fi

command -v go >/dev/null || fail "go is not on PATH"
command -v node >/dev/null || fail "node is not on PATH"

mkdir -p "$CACHE"
exec 9>"$CACHE/.prometheus-crds.lock"
flock 9 # two installers at once would race on the same output files
if [[ -f "$STAMP" ]]; then
  log "Prometheus Operator CRDs $PROMETHEUS_OPERATOR_VERSION cached: $DEST"
  exit 0
fi

log "fetching $MODULE@$PROMETHEUS_OPERATOR_VERSION"
if ! json="$(go mod download -json "$MODULE@$PROMETHEUS_OPERATOR_VERSION" 2>&1)"; then
  echo "$json" >&2
  fail "go mod download -json $MODULE@$PROMETHEUS_OPERATOR_VERSION failed"
fi
# The module's extracted directory, from the download's JSON report.
dir="$(node -e 'const d = JSON.parse(require("fs").readFileSync(0, "utf8")).Dir;
if (!d) { console.error("no Dir in go mod download output"); process.exit(1); }
console.log(d);' <<<"$json")"

WORK="$(mktemp -d "$CACHE/.prometheus-crds.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
for file in "${CRDS[@]}"; do
  src="$dir/example/prometheus-operator-crd/$file"
  [[ -f "$src" ]] || fail "$MODULE@$PROMETHEUS_OPERATOR_VERSION has no example/prometheus-operator-crd/$file"
  grep -q "^kind: CustomResourceDefinition" "$src" || fail "$src holds no CustomResourceDefinition"
  # Module files are read-only; the copies need not be.
  install -m 0644 "$src" "$WORK/$file"
done

rm -rf "$DEST"
mkdir -p "$DEST"
for file in "${CRDS[@]}"; do
  mv "$WORK/$file" "$DEST/$file"
done
touch "$STAMP"
log "copied ${#CRDS[@]} CRDs to $DEST"
