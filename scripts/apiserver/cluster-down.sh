#!/usr/bin/env bash
# Stops the simulated cluster that cluster-up.sh started and deletes its state; DOCPIPE_APISERVER_DIR
# names the same folder as it did for cluster-up.sh.
source "$(dirname "$0")/../lib.sh"
DOCPIPE_APISERVER_DIR=${DOCPIPE_APISERVER_DIR:-$LOCAL/cluster} exec bash "$ROOT/scripts/apiserver/down.sh"
