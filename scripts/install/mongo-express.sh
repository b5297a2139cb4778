#!/usr/bin/env bash
# mongo-express, the web UI of the documents database (scripts/stack/ui.sh runs it), from the npm
# registry into a folder with its own prefix: a program the local stack runs, not a dependency of
# the workspaces. 1.0.0 is the newest release that npm can install and run: 1.0.1 and later name a
# dependency through Yarn's `patch:` protocol, which npm refuses, and their packages lack the built
# front end (build-assets.json), mongo-express#1654 and #1657. The official image of the cluster
# (cdk8s/src/constructs/database-uis.ts) installs the same release from npm.
source "$(dirname "$0")/../lib.sh"

dest=$CACHE/mongo-express
app=$dest/node_modules/mongo-express/app.js
stamp=$dest/.installed-$MONGO_EXPRESS_VERSION
[ -f "$stamp" ] && [ -f "$app" ] && exit 0

bash "$(dirname "$0")/node.sh"
log "installing mongo-express $MONGO_EXPRESS_VERSION from the npm registry into $dest"
# A new folder each time, so a version change or an interrupted install leaves nothing behind. Its
# own package.json keeps npm from taking the repository's workspaces for the project. No install
# scripts run: none of its packages builds anything, and es5-ext's only prints a message.
rm -rf "$dest"
mkdir -p "$dest"
echo '{ "private": true }' >"$dest/package.json"
npm install --prefix "$dest" --no-audit --no-fund --ignore-scripts --save-exact --loglevel=error \
  "mongo-express@$MONGO_EXPRESS_VERSION" >/dev/null \
  || die "npm install mongo-express@$MONGO_EXPRESS_VERSION failed"
if [ ! -f "$app" ] || [ ! -f "$dest/node_modules/mongo-express/build-assets.json" ]; then
  die "the installed mongo-express $MONGO_EXPRESS_VERSION lacks app.js or its built front end"
fi
touch "$stamp"
log "mongo-express $MONGO_EXPRESS_VERSION installed"
