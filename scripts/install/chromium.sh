#!/usr/bin/env bash
# Chromium from Debian's packages: e2e/database-uis.int.test.ts drives it headless (puppeteer-core)
# through the database UIs of the local stack.
source "$(dirname "$0")/../lib.sh"

if command -v chromium >/dev/null; then exit 0; fi
apt_install chromium
need chromium "The Debian package chromium provides it: apt-get install -y chromium."
log "$(chromium --version 2>/dev/null) installed"
