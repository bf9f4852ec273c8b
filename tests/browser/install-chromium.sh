#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing.
# The tests call this themselves; it needs root (as CI runs) and the Debian
# package mirror.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium
