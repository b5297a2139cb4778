#!/usr/bin/env bash
# Everything the local stack and its tests run on: servers, the database UIs, the load generator,
# the browser of the UIs' test. Each installer is idempotent and silent when its tool is already
# there, so a second run installs nothing.
source "$(dirname "$0")/../lib.sh"

here=$(dirname "$0")
for tool in postgres kafka ferretdb prometheus k6 schemathesis mongo-express adminer chromium; do
  bash "$here/$tool.sh"
done
