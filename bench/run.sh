#!/usr/bin/env bash
# `make bench`: installs what the measurements need, starts a clean local stack of its own
# (profile `bench`, ports +700 unless BENCH_PROFILE / BENCH_PORT_OFFSET say otherwise), runs
# bench/dist/main.js, which starts and stops the services and peers itself, and stops the stack.
# Method and knobs: bench/README.md.
export DOCPIPE_PROFILE=${BENCH_PROFILE:-bench}
export DOCPIPE_PORT_OFFSET=${BENCH_PORT_OFFSET:-700}
source "$(dirname "$0")/../scripts/stack/profile.sh"
# kafkajs arms a timer with a negative delay on every connection; Node 24 warns about each one.
export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=TimeoutNegativeWarning"
export KAFKAJS_NO_PARTITIONER_WARNING=1

for built in services/ingest/dist/server.js services/consumer/dist/server.js services/jobs/dist/main.js bench/dist/main.js; do
  [ -f "$ROOT/$built" ] || die "$built is missing: run 'make build' (make bench does it for you)"
done

bash "$ROOT/scripts/install/all.sh"

# A peer that cannot be installed is reported with the reason (its last error line) and no figure;
# the rest of the run goes on.
install_peer() {
  local script=$1 var=$2 errors version reason
  errors=$(mktemp)
  if version=$(bash "$ROOT/scripts/install/$script.sh" 2>"$errors"); then
    cat "$errors" >&2
    export "${var}_VERSION=$version"
  else
    reason=$(sed 's/\x1b\[[0-9;]*m//g; s/^error: //' "$errors" | grep -v '^[[:space:]]*$' | tail -n 1)
    export "${var}_UNAVAILABLE=$reason"
    warn "$script failed, its measurements will say so: $reason"
  fi
  rm -f "$errors"
}
install_peer kafka-connect BENCH_CONNECTOR
install_peer kafka-bridge BENCH_BRIDGE

# Nothing left from an earlier run (topics, groups, collections, users): every run starts alike.
if [ -d "$DIR" ]; then bash "$ROOT/scripts/stack/clean.sh"; fi
trap 'bash "$ROOT/scripts/stack/down.sh"' EXIT
bash "$ROOT/scripts/stack/up.sh"
eval "$(bash "$ROOT/scripts/stack/env.sh")"
node "$ROOT/services/jobs/dist/main.js" migrate >"$DIR/migrate.log" 2>&1 || die "migration failed; see $DIR/migrate.log"

export BENCH_ROOT=$ROOT BENCH_DIR=$DIR BENCH_KAFKA_HOME=$KAFKA_HOME
export BENCH_CONNECT_HOME=$CACHE/kafka-connect-$KAFKA_VERSION
export BENCH_BRIDGE_HOME=$CACHE/kafka-bridge-${BENCH_BRIDGE_VERSION:-none}
export KAFKA_VERSION FERRETDB_VERSION DOCUMENTS_PARTITIONS
node "$ROOT/bench/dist/main.js"
