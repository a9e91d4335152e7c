#!/usr/bin/env bash
# Installs what the browser tests of `neurone ui` drive: Debian's headless Chromium and its
# WebDriver server, chromedriver. Idempotent: when both are on the PATH nothing is done.
set -euo pipefail

if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "browser-env: chromium and chromium-driver are missing; install them as root (apt-get install chromium chromium-driver)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
echo "browser-env: $(chromium --version), $(chromedriver --version | head -1)"
