#!/usr/bin/env bash
# ModelGuard end to end in a real cluster: kind, Istio, the Helm chart with a freshly built
# operator image, the sample model behind a policy, and traffic checks sent from pods inside the
# mesh. For a machine with Docker; `run.sh help` lists the steps. Works with bash 3.2 (macOS).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/test/e2e-kind"

# Names shared with kind-config.yaml, manifests/*.yaml and names.ts
# (test/shell/e2e-kind-script.test.ts checks that they agree).
CLUSTER="${E2E_CLUSTER:-modelguard}"
CONTEXT="kind-$CLUSTER"
TAG=e2e
OPERATOR_REPOSITORY=modelguard/operator
OPERATOR_IMAGE="$OPERATOR_REPOSITORY:$TAG"
MODEL_IMAGE="modelguard/model-server:$TAG"
CLIENT_IMAGE="modelguard/e2e-client:$TAG"
RELEASE=modelguard
OPERATOR_NAMESPACE=modelguard-system
MODEL_NAMESPACE=models
MODEL_NAME=sample-model
POLICY_NAME=e2e
CLIENT_NAMESPACE=e2e-client
CALLER_ACCOUNT=traffic-client
STRANGER_ACCOUNT=stranger
KEYS_SECRET=e2e-keys
# Paths inside the images (Dockerfile): the module the operator serves, and the traffic runner.
IMAGE_MODULE=/app/wasm-filter/build/modelguard.wasm
CLIENT_NODE=/nodejs/bin/node
CLIENT_RUNNER=/app/dist/test/e2e-kind/traffic.js

# kind-config.yaml's node image was built for kind v0.33.0; Istio supports Kubernetes 1.35 from 1.29.
MIN_KIND=0.33.0
MIN_ISTIO=1.29

# The steps of `all`, in order (each is also a command of its own).
STEPS="create-cluster install-istio build-images load-images install-chart deploy-model apply-policy check-traffic"

DRY_RUN="${E2E_DRY_RUN:-0}"
KEEP=0
TEARDOWN_ON_EXIT=0
CURRENT_STEP=""
WORK=""

usage() {
  cat <<EOF
Usage: test/e2e-kind/run.sh [--keep] <command>...

Runs ModelGuard end to end on a local kind cluster: Istio, the Helm chart with a freshly built
operator image, the sample model annotated with a policy, and traffic checks sent from pods inside
the mesh. Needs docker, kind ($MIN_KIND or newer), kubectl, helm, istioctl ($MIN_ISTIO or newer),
node, and \`npm ci\` run in the repository. Every command acts only on the kind cluster
"$CLUSTER", through the kubectl context $CONTEXT.

Commands (all runs the first eight in this order):
  create-cluster   create the kind cluster from kind-config.yaml (an existing one is kept)
  install-istio    install Istio (minimal profile, the filter's metrics exported) and wait for istiod
  build-images     build the operator, model-server and e2e-client images (Dockerfile targets)
  load-images      load the three images into the cluster's nodes
  install-chart    install charts/modelguard with the operator image and its filter's sha256, and
                   check that the operator serves that exact module
  deploy-model     deploy the sample model (annotated with the policy) and the in-mesh clients
  apply-policy     make signing keys, apply the policy with its JWKS inline, wait for Programmed
  check-traffic    run the traffic checks from the allowed client and from the stranger, then
                   check the filter's counters on the model's sidecar
  teardown         delete the kind cluster
  all              the first eight commands in order, then teardown (also on failure) unless --keep
  help             print this text

Options:
  --keep           with all: keep the cluster at the end, to look around or rerun a step

Environment:
  E2E_CLUSTER      kind cluster name (default modelguard)
  E2E_DRY_RUN=1    print the commands each step would run instead of running them
EOF
}

die() {
  printf 'run.sh: %s\n' "$*" >&2
  exit 1
}

# print_command CMD...: "+ CMD", each argument single-quoted when the shell would need it.
print_command() {
  local line="+" arg quote="'\\''"
  for arg in "$@"; do
    if [[ "$arg" =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
      line="$line $arg"
    else
      line="$line '${arg//\'/$quote}'"
    fi
  done
  printf '%s\n' "$line"
}

# run CMD...: runs a command, or under E2E_DRY_RUN=1 prints it instead.
run() {
  if [[ "$DRY_RUN" == 1 ]]; then
    print_command "$@"
  else
    "$@"
  fi
}

# run_to FILE CMD...: run, with stdout written to FILE.
run_to() {
  local file="$1"
  shift
  if [[ "$DRY_RUN" == 1 ]]; then
    run "$@"
    printf '  > %s\n' "$file"
  else
    "$@" >"$file"
  fi
}

# run_from FILE CMD...: run, with stdin read from FILE.
run_from() {
  local file="$1"
  shift
  if [[ "$DRY_RUN" == 1 ]]; then
    run "$@"
    printf '  < %s\n' "$file"
  else
    "$@" <"$file"
  fi
}

# capture NAME CMD...: NAME=$(CMD...); under dry run, prints CMD instead and sets NAME to "<NAME>"
# (dry runs print commands without running any tool).
capture() {
  local name="$1" value
  shift
  if [[ "$DRY_RUN" == 1 ]]; then
    run "$@"
    value="<$name>"
  else
    value="$("$@")"
  fi
  printf -v "$name" '%s' "$value"
}

k() {
  run kubectl --context "$CONTEXT" "$@"
}

# need TOOL...: fails naming every tool that is not on PATH (nothing is checked under dry run).
need() {
  [[ "$DRY_RUN" == 1 ]] && return 0
  local missing="" tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
  done
  [[ -z "$missing" ]] || die "not on PATH:$missing (see: run.sh help)"
}

need_node_modules() {
  [[ "$DRY_RUN" == 1 || -x "$ROOT/node_modules/.bin/tsx" ]] || die "run \`npm ci\` in $ROOT first (the policy and metrics steps use tsx)"
}

# version_ge A B: true when the dotted version A is at least B (a suffix such as -rc.1 is ignored).
version_ge() {
  local a b i x y
  IFS=. read -r -a a <<<"$1"
  IFS=. read -r -a b <<<"$2"
  for ((i = 0; i < ${#b[@]}; i++)); do
    x="${a[i]:-0}"
    x="${x%%[!0-9]*}"
    y="${b[i]%%[!0-9]*}"
    ((10#${x:-0} > 10#${y:-0})) && return 0
    ((10#${x:-0} < 10#${y:-0})) && return 1
  done
  return 0
}

cluster_exists() {
  [[ "$DRY_RUN" != 1 ]] && kind get clusters 2>/dev/null | grep -qx "$CLUSTER"
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

step() {
  CURRENT_STEP="$1"
  printf '==> %s\n' "$1"
}

step_create_cluster() {
  step create-cluster
  need docker kind
  if [[ "$DRY_RUN" != 1 ]]; then
    local version
    version="$(kind version | sed -n 's/^kind v\([0-9][0-9.]*\).*/\1/p')"
    version_ge "${version:-0}" "$MIN_KIND" || die "kind ${version:-?} is older than v$MIN_KIND, the release kind-config.yaml's node image was built for"
  fi
  if cluster_exists; then
    printf 'kind cluster %s exists: kept\n' "$CLUSTER"
    return 0
  fi
  run kind create cluster --name "$CLUSTER" --config "$ROOT/kind-config.yaml" --wait 180s
}

step_install_istio() {
  step install-istio
  need istioctl kubectl node
  if [[ "$DRY_RUN" != 1 ]]; then
    local version
    version="$(istioctl version --remote=false -o json | node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(v.clientVersion?.version ?? "")')"
    version_ge "${version:-0}" "$MIN_ISTIO" || die "istioctl ${version:-?} is older than $MIN_ISTIO, the first Istio release that supports Kubernetes 1.35"
  fi
  run istioctl install -y --context "$CONTEXT" -f "$HERE/istio-operator.yaml"
  k -n istio-system rollout status deployment/istiod --timeout=300s
}

step_build_images() {
  step build-images
  need docker node
  local version revision
  capture version node -p 'require("./package.json").version'
  capture revision git -C "$ROOT" rev-parse HEAD
  run docker build --target operator --build-arg VERSION="$version" --build-arg REVISION="$revision" -t "$OPERATOR_IMAGE" "$ROOT"
  run docker build --target model-server --build-arg VERSION="$version" -t "$MODEL_IMAGE" "$ROOT"
  run docker build --target e2e-client --build-arg VERSION="$version" -t "$CLIENT_IMAGE" "$ROOT"
}

step_load_images() {
  step load-images
  need kind
  run kind load docker-image --name "$CLUSTER" "$OPERATOR_IMAGE" "$MODEL_IMAGE" "$CLIENT_IMAGE"
}

step_install_chart() {
  step install-chart
  need docker helm kubectl
  # The sha256 the WasmPlugins pin is that of the module inside the image, read back from it.
  local container sha served
  capture container docker create "$OPERATOR_IMAGE"
  run docker cp "$container:$IMAGE_MODULE" "$WORK/modelguard.wasm"
  run docker rm "$container"
  capture sha sha256_of "$WORK/modelguard.wasm"
  run helm upgrade --install "$RELEASE" "$ROOT/charts/modelguard" --kube-context "$CONTEXT" \
    --namespace "$OPERATOR_NAMESPACE" --create-namespace \
    --set image.repository="$OPERATOR_REPOSITORY" --set image.tag="$TAG" --set image.pullPolicy=Never \
    --set wasm.sha256="$sha" --wait --timeout 5m
  # The operator serves the module at the URL its WasmPlugins name; fetch it through the
  # apiserver's service proxy and compare.
  run_to "$WORK/served.wasm" kubectl --context "$CONTEXT" get --raw \
    "/api/v1/namespaces/$OPERATOR_NAMESPACE/services/http:$RELEASE:8080/proxy/wasm/$sha.wasm"
  capture served sha256_of "$WORK/served.wasm"
  [[ "$DRY_RUN" == 1 || "$served" == "$sha" ]] || die "the operator serves a module with sha256 $served, not the image's $sha"
}

step_deploy_model() {
  step deploy-model
  need kubectl
  k apply -f "$HERE/manifests/model.yaml" -f "$HERE/manifests/clients.yaml"
  k -n "$MODEL_NAMESPACE" rollout status "deployment/$MODEL_NAME" --timeout=300s
  k -n "$CLIENT_NAMESPACE" rollout status "deployment/$CALLER_ACCOUNT" --timeout=300s
  k -n "$CLIENT_NAMESPACE" rollout status "deployment/$STRANGER_ACCOUNT" --timeout=300s
  # Without a sidecar nothing is enforced and every check would be meaningless.
  local containers
  capture containers kubectl --context "$CONTEXT" -n "$MODEL_NAMESPACE" get pods -l "app=$MODEL_NAME" \
    -o 'jsonpath={.items[*].spec.containers[*].name} {.items[*].spec.initContainers[*].name}'
  [[ "$DRY_RUN" == 1 || " $containers " == *" istio-proxy "* ]] || die "the model pod has no istio-proxy sidecar (containers: $containers)"
}

step_apply_policy() {
  step apply-policy
  need kubectl node
  need_node_modules
  run node --import tsx "$HERE/make-policy.ts" --out "$WORK"
  # The clients mint their tokens with these keys (check-traffic hands them over).
  k -n "$CLIENT_NAMESPACE" delete secret "$KEYS_SECRET" --ignore-not-found
  k -n "$CLIENT_NAMESPACE" create secret generic "$KEYS_SECRET" --from-file=keys.json="$WORK/keys.json"
  k apply -f "$WORK/policy.yaml"
  k -n "$MODEL_NAMESPACE" wait --for=condition=Programmed "modelendpointpolicy/$POLICY_NAME" --timeout=180s
  k -n "$MODEL_NAMESPACE" wait --for=jsonpath='{.status.targetCount}'=1 "modelendpointpolicy/$POLICY_NAME" --timeout=60s
}

step_check_traffic() {
  step check-traffic
  need kubectl node
  need_node_modules
  run_to "$WORK/keys.json" kubectl --context "$CONTEXT" -n "$CLIENT_NAMESPACE" get secret "$KEYS_SECRET" \
    -o 'go-template={{index .data "keys.json" | base64decode}}'
  run_from "$WORK/keys.json" kubectl --context "$CONTEXT" -n "$CLIENT_NAMESPACE" exec -i "deployment/$CALLER_ACCOUNT" -c client -- \
    "$CLIENT_NODE" "$CLIENT_RUNNER" --as caller --keys -
  run_from "$WORK/keys.json" kubectl --context "$CONTEXT" -n "$CLIENT_NAMESPACE" exec -i "deployment/$STRANGER_ACCOUNT" -c client -- \
    "$CLIENT_NODE" "$CLIENT_RUNNER" --as stranger --keys -
  run_to "$WORK/model-sidecar-stats.txt" kubectl --context "$CONTEXT" -n "$MODEL_NAMESPACE" exec "deployment/$MODEL_NAME" -c istio-proxy -- \
    pilot-agent request GET stats/prometheus
  run node --import tsx "$HERE/check-metrics.ts" "$WORK/model-sidecar-stats.txt"
}

step_teardown() {
  step teardown
  need kind
  run kind delete cluster --name "$CLUSTER"
}

step_all() {
  [[ "$KEEP" == 1 ]] || TEARDOWN_ON_EXIT=1
  local s
  for s in $STEPS; do
    "step_${s//-/_}"
  done
  CURRENT_STEP=""
}

# What a failed step leaves to look at, before the cluster may be deleted.
diagnose() {
  [[ "$DRY_RUN" != 1 ]] && command -v kubectl >/dev/null 2>&1 && cluster_exists || return 0
  printf -- '---- diagnostics (context %s) ----\n' "$CONTEXT" >&2
  kubectl --context "$CONTEXT" get pods -A -o wide >&2 || true
  kubectl --context "$CONTEXT" -n "$MODEL_NAMESPACE" get modelendpointpolicies -o yaml >&2 || true
  kubectl --context "$CONTEXT" -n "$MODEL_NAMESPACE" get wasmplugins,authorizationpolicies,requestauthentications,peerauthentications >&2 || true
  kubectl --context "$CONTEXT" -n "$OPERATOR_NAMESPACE" logs "deployment/$RELEASE" --tail=40 >&2 || true
  kubectl --context "$CONTEXT" -n "$MODEL_NAMESPACE" logs "deployment/$MODEL_NAME" -c istio-proxy --tail=40 >&2 || true
}

on_exit() {
  local status=$?
  if [[ $status -ne 0 && -n "$CURRENT_STEP" ]]; then
    printf 'run.sh: step %s failed (exit %d)\n' "$CURRENT_STEP" "$status" >&2
    diagnose
  fi
  [[ -z "$WORK" ]] || rm -rf "$WORK"
  if [[ "$TEARDOWN_ON_EXIT" == 1 ]]; then
    TEARDOWN_ON_EXIT=0
    step_teardown || status=1
  fi
  exit "$status"
}

is_command() {
  case " $STEPS teardown all " in
    *" $1 "*) return 0 ;;
    *) return 1 ;;
  esac
}

main() {
  local commands="" arg
  for arg in "$@"; do
    case "$arg" in
      --keep) KEEP=1 ;;
      help | -h | --help)
        usage
        exit 0
        ;;
      *)
        if ! is_command "$arg"; then
          usage >&2
          printf '\nrun.sh: unknown command or option: %s\n' "$arg" >&2
          exit 2
        fi
        commands="$commands $arg"
        ;;
    esac
  done
  if [[ -z "$commands" ]]; then
    usage >&2
    exit 2
  fi
  cd "$ROOT"
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/modelguard-e2e.XXXXXX")"
  trap on_exit EXIT
  [[ "$DRY_RUN" != 1 ]] || printf 'run.sh: dry run (E2E_DRY_RUN=1): commands are printed, not run\n'
  for arg in $commands; do
    "step_${arg//-/_}"
  done
}

main "$@"
