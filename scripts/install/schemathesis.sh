#!/usr/bin/env bash
# schemathesis, the API fuzzer e2e/schemathesis.int.test.ts runs against ingest's published
# OpenAPI, from PyPI into a venv of its own on Debian's python3 (a Python the machine may have
# elsewhere could lack venv or be another version). $CACHE/bin/schemathesis runs it.
source "$(dirname "$0")/../lib.sh"

dest=$CACHE/schemathesis
venv=$dest/venv
shim=$CACHE/bin/schemathesis
stamp=$dest/.installed-$SCHEMATHESIS_VERSION
[ -f "$stamp" ] && [ -x "$venv/bin/schemathesis" ] && [ -x "$shim" ] && exit 0

apt_install python3 python3-venv
python=/usr/bin/python3
[ -x "$python" ] || die "python3 was installed but $python is missing"
log "installing schemathesis $SCHEMATHESIS_VERSION from PyPI into $venv"
# A new venv each time, so a version change or an interrupted install leaves nothing behind.
rm -rf "$venv" "$dest"/.installed-*
"$python" -m venv "$venv" || die "python3 -m venv $venv failed"
PIP_CACHE_DIR=$dest/pip-cache "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" \
  || die "pip install schemathesis==$SCHEMATHESIS_VERSION failed"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$venv/bin/schemathesis" >"$shim"
chmod 755 "$shim"
"$shim" --version >/dev/null || die "the installed schemathesis does not run"
touch "$stamp"
log "$("$shim" --version) installed"
