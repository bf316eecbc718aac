#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/e2e) unless it is already there.
# Playwright drives this binary; `playwright install` (a download from outside) is never used.
set -euo pipefail

CHROMIUM="${QUIZAPP_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
    echo "Chromium is installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation
"$CHROMIUM" --version
