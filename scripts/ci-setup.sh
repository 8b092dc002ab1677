#!/usr/bin/env bash
# Installs the system packages and tools the test suite needs on a fresh machine by running
# every scripts/install-*.sh in name order. Each installer is idempotent and caches slow
# builds under ${MODELGUARD_CACHE:-~/.cache/modelguard}, keyed by version.
set -euo pipefail
cd "$(dirname "$0")"
node --version
shopt -s nullglob
for installer in install-*.sh; do
  echo "==> scripts/$installer"
  bash "$installer"
done
