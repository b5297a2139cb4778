#!/usr/bin/env bash
# `make chaos`: every fault scenario of bench/src/chaos, first on a one-broker profile, then on a
# three-broker one (replication factor 3, min.insync.replicas 2, as in the production cluster).
# Each profile starts clean, with the brokers' proxied listeners (ingest's Kafka traffic crosses
# the fault proxies) and their data on a tmpfs (the disk-full scenario fills it). Method, knobs
# and results: bench/README.md ("make chaos") and docs/chaos.md.
#   CHAOS_BROKERS="1 3"      the profiles to run, by broker count
#   CHAOS_SCENARIOS=a,b      some scenarios only (names: docs/chaos.md)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$ROOT/bench/dist/chaos/main.js" ] || { echo "bench/dist/chaos/main.js is missing: run 'make build' (make chaos does it for you)" >&2; exit 1; }
bash "$ROOT/scripts/install/all.sh"

status=0
for brokers in ${CHAOS_BROKERS:-1 3}; do
  (
    export DOCPIPE_PROFILE=chaos$brokers DOCPIPE_PORT_OFFSET=$((brokers == 1 ? 500 : 600))
    export DOCPIPE_KAFKA_BROKERS=$brokers DOCPIPE_KAFKA_PROXY=1 DOCPIPE_KAFKA_DATA_TMPFS_MB=${CHAOS_KAFKA_TMPFS_MB:-256}
    # shellcheck source=scripts/stack/profile.sh
    source "$ROOT/scripts/stack/profile.sh"
    export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=TimeoutNegativeWarning"
    export KAFKAJS_NO_PARTITIONER_WARNING=1
    if [ -d "$DIR" ]; then bash "$ROOT/scripts/stack/clean.sh"; fi
    trap 'bash "$ROOT/scripts/stack/down.sh"' EXIT
    bash "$ROOT/scripts/stack/up.sh"
    eval "$(bash "$ROOT/scripts/stack/env.sh")"
    node "$ROOT/services/jobs/dist/main.js" migrate >"$DIR/migrate.log" 2>&1 || die "migration failed; see $DIR/migrate.log"
    # The servers a scenario may stop, by the names the scenarios use: brokers by node id.
    pidfiles="ferretdb=$FERRETDB_DIR/ferretdb.pid,postgres=$PGDATA_DIR/postmaster.pid"
    datadirs=
    for n in "${!KAFKA_BROKER_DIR[@]}"; do
      pidfiles+=",kafka-$n=${KAFKA_BROKER_DIR[n]}/kafka.pid"
      datadirs+=${datadirs:+,}$n=${KAFKA_BROKER_DIR[n]}/data
    done
    export CHAOS_PIDFILES=$pidfiles CHAOS_KAFKA_DATA_DIRS=$datadirs CHAOS_DIR=$DIR
    node "$ROOT/bench/dist/chaos/main.js"
  ) || status=1
done
exit "$status"
