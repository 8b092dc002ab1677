#!/usr/bin/env bash
# Installs Envoy's global rate limit service and Redis for the test harness.
#
#  - redis-server: Debian's package, via apt-get, only when it is not on PATH yet. The
#    package's own service is not started (tests start their own redis on a free port).
#  - ratelimit (github.com/envoyproxy/ratelimit): built from a pinned commit with
#    `go install`, into a directory keyed by the pseudo-version, outside the repo:
#      ${MODELGUARD_CACHE:-$HOME/.cache/modelguard}/ratelimit-<pseudo-version>/service_cmd
#    Its tags are from 2020, so we pin a commit on master.
# Idempotent: a second run only checks what is there and prints the two binary paths
# (ratelimit first, then redis-server) on stdout.
# test/harness/envoy/binaries.ts looks for the binaries at the same places.
set -euo pipefail

# The pin (a commit pseudo-version) lives in test/harness/envoy/versions.env, which the
# harness reads too.
# shellcheck source=../test/harness/envoy/versions.env
source "$(dirname "$0")/../test/harness/envoy/versions.env"
RATELIMIT_VERSION="${MODELGUARD_RATELIMIT_VERSION:-$RATELIMIT_VERSION}"
CACHE="${MODELGUARD_CACHE:-$HOME/.cache/modelguard}"
DEST="$CACHE/ratelimit-$RATELIMIT_VERSION"
BIN="$DEST/service_cmd"
STAMP="$DEST/.installed"

log() { echo "install-ratelimit: $*" >&2; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

install_redis() {
  if command -v redis-server >/dev/null 2>&1; then
    log "redis-server already installed: $(redis-server --version | cut -d' ' -f1-3)"
    return
  fi
  # Wait for other apt users (parallel setup steps) instead of failing on the dpkg lock.
  local apt=(apt-get -o DPkg::Lock::Timeout=600 -y -q --no-install-recommends)
  export DEBIAN_FRONTEND=noninteractive
  # `apt-get update` only when the package lists do not know redis-server yet.
  if ! apt-cache show redis-server >/dev/null 2>&1; then
    log "apt-get update"
    as_root "${apt[@]}" update >&2
  fi
  log "apt-get install redis-server"
  # RUNLEVEL=1 makes invoke-rc.d skip starting the packaged service: tests run their own.
  as_root env RUNLEVEL=1 "${apt[@]}" install redis-server >&2
  log "installed $(redis-server --version | cut -d' ' -f1-3)"
}

install_ratelimit() {
  if [[ -f "$STAMP" && -x "$BIN" ]]; then
    log "ratelimit $RATELIMIT_VERSION already installed"
    return
  fi
  if ! command -v go >/dev/null 2>&1; then
    log "Go is required to build the ratelimit service (https://go.dev/dl/)"
    exit 1
  fi
  mkdir -p "$CACHE"
  # Serialise concurrent runs on the same cache entry.
  exec 9>"$CACHE/.ratelimit-$RATELIMIT_VERSION.lock"
  flock 9
  if [[ -f "$STAMP" && -x "$BIN" ]]; then
    log "ratelimit $RATELIMIT_VERSION was installed by a concurrent run"
    return
  fi
  log "building github.com/envoyproxy/ratelimit@$RATELIMIT_VERSION (takes a few minutes, cold)"
  rm -rf "$DEST"
  mkdir -p "$DEST"
  # Module mode with an explicit version ignores any go.mod around us; -trimpath and
  # -buildvcs=false keep the build independent of the working directory.
  (cd "$DEST" && GOBIN="$DEST" GOFLAGS="-buildvcs=false -trimpath" \
    go install "github.com/envoyproxy/ratelimit/src/service_cmd@$RATELIMIT_VERSION")
  if [[ ! -x "$BIN" ]]; then
    log "go install did not produce $BIN"
    exit 1
  fi
  # Record what was built, for humans and for the harness' error messages.
  go version -m "$BIN" | head -3 >"$DEST/BUILDINFO"
  touch "$STAMP"
  log "built $BIN"
}

install_redis
install_ratelimit
echo "$BIN"
command -v redis-server
