#!/usr/bin/env bash
# Everything the local stack and its tests run on: servers, the load generator. Each installer is
# idempotent and silent when its tool is already there, so a second run installs nothing.
source "$(dirname "$0")/../lib.sh"

here=$(dirname "$0")
for tool in postgres kafka ferretdb prometheus k6 schemathesis; do
  bash "$here/$tool.sh"
done
