#!/usr/bin/env bash
# Prometheus and promtool from Debian's packages. scripts/stack/up.sh runs its own instance per
# profile (own port, own data folder), so the package's system service must not run.
source "$(dirname "$0")/../lib.sh"

if command -v prometheus >/dev/null && command -v promtool >/dev/null; then exit 0; fi
apt_install_nostart prometheus
need promtool "The Debian package prometheus provides it: apt-get install -y prometheus."
log "$(prometheus --version 2>&1 | head -n 1) installed"
