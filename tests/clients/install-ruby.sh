#!/usr/bin/env bash
# Installs Debian's Ruby and HTTParty for the ONLYOFFICE API gem test when
# they are missing. The test calls this itself; it needs root (as CI runs)
# and the Debian package mirror.
set -euo pipefail
if command -v ruby >/dev/null 2>&1 && ruby -e 'require "httparty"' >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends ruby ruby-httparty >/dev/null
ruby -e 'require "httparty"'
