#!/usr/bin/env bash
# Stop one profile and delete all its data, logs and secrets.
source "$(dirname "$0")/profile.sh"

bash "$(dirname "$0")/down.sh"
rm -rf "${DIR:?}"
log "profile $PROFILE removed ($DIR)"
