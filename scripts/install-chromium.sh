#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests; needs root or sudo.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then
    command -v sudo >/dev/null || { echo "Installing chromium needs root: run 'apt-get install chromium' as root." >&2; exit 1; }
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
