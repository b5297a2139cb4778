#!/usr/bin/env bash
# `make local`: the whole pipeline on this machine. Starts the local stack (Postgres, Kafka,
# FerretDB, Prometheus), migrates, then runs consumer, the jobs' schedule and ingest, prints the
# URLs and `docpipe ready`. Ctrl-C or SIGTERM stops what it started, front to back: ingest first
# (it finishes in-flight requests and flushes its producer), then the consumer (it finishes its
# batch and commits), then the scheduler, then the servers. Accepted documents are in Kafka's log
# on disk by then, so a stop at any point loses none of them.
source "$(dirname "$0")/stack/profile.sh"

LOGS=$DIR/logs
mkdir -p "$LOGS"
# kafkajs arms a timer with a negative delay on every connection; Node 24 warns about each one.
export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=TimeoutNegativeWarning"
export KAFKAJS_NO_PARTITIONER_WARNING=1

for part in ingest consumer jobs; do
  [ -f "$ROOT/services/$part/dist/$([ $part = jobs ] && echo main || echo server).js" ] \
    || die "services/$part is not built: run 'make build' (make local does it for you)"
done

# Servers that already ran before us are someone else's: leave them running at the end.
started_stack=false
if ! { postgres_running && kafka_running && ferretdb_running && prometheus_running && lag_exporter_running; }; then started_stack=true; fi
bash "$ROOT/scripts/stack/up.sh"
eval "$(bash "$ROOT/scripts/stack/env.sh")"

log "migrating the Postgres schema"
node "$ROOT/services/jobs/dist/main.js" migrate >>"$LOGS/jobs.log" 2>&1 || die "migration failed; see $LOGS/jobs.log"

declare -A pids=()
# Own session per service: a Ctrl-C in the terminal reaches only this script, which then stops the
# services in order instead of all at once.
start() {
  local part=$1
  shift
  setsid node "$@" >>"$LOGS/$part.log" 2>&1 </dev/null &
  pids[$part]=$!
}

# stop PART: SIGTERM, then wait for it to finish its own graceful shutdown.
stop() {
  local pid=${pids[$1]:-}
  [ -n "$pid" ] || return 0
  unset "pids[$1]"
  kill -TERM "$pid" 2>/dev/null || return 0
  wait "$pid" 2>/dev/null || true
}

stopping=false
shutdown() {
  $stopping && return
  stopping=true
  trap '' INT TERM
  log "stopping docpipe"
  stop ingest
  stop consumer
  stop scheduler
  if $started_stack; then bash "$ROOT/scripts/stack/down.sh"; fi
  log "stopped"
}
trap 'shutdown; exit 0' INT TERM
trap shutdown EXIT

# Each service connects to Kafka as its own user, with the ACLs its cluster KafkaUser has.
KAFKA_SASL_USERNAME=$DOCPIPE_KAFKA_CONSUMER_SASL_USERNAME KAFKA_SASL_PASSWORD=$DOCPIPE_KAFKA_CONSUMER_SASL_PASSWORD \
  start consumer "$ROOT/services/consumer/dist/server.js"
start scheduler "$ROOT/services/jobs/dist/main.js" schedule
KAFKA_SASL_USERNAME=$DOCPIPE_KAFKA_INGEST_SASL_USERNAME KAFKA_SASL_PASSWORD=$DOCPIPE_KAFKA_INGEST_SASL_PASSWORD \
  start ingest "$ROOT/services/ingest/dist/server.js"

# wait_ready NAME URL: poll until 200, failing with the log tail if the process dies or it times out.
wait_ready() {
  local part=$1 url=$2 i
  for ((i = 0; i < 120; i++)); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    kill -0 "${pids[$part]}" 2>/dev/null || { tail -n 30 "$LOGS/$part.log" >&2; die "$part exited during start"; }
    sleep 0.5
  done
  tail -n 30 "$LOGS/$part.log" >&2
  die "$part was not ready after 60 s ($url)"
}
wait_ready consumer "http://127.0.0.1:$METRICS_PORT/readyz"
wait_ready ingest "http://127.0.0.1:$PORT/readyz"

cat <<INFO
  API            http://127.0.0.1:$PORT/v1
  OpenAPI        http://127.0.0.1:$PORT/docs
  ingest metrics http://127.0.0.1:$PORT/metrics
  consumer       http://127.0.0.1:$METRICS_PORT/metrics
  Prometheus     $PROMETHEUS_URL
$(database_uis_urls)
  Kafka          $KAFKA_BROKERS   MongoDB wire (FerretDB) $MONGODB_URI
  logs           $LOGS/
docpipe ready
INFO

# Any service dying on its own ends the run (and stops the rest), rather than leaving half a pipeline.
while true; do
  wait -n "${pids[@]}" || true
  $stopping && break
  for part in "${!pids[@]}"; do
    if ! kill -0 "${pids[$part]}" 2>/dev/null; then
      unset "pids[$part]"
      tail -n 30 "$LOGS/$part.log" >&2
      die "$part stopped unexpectedly; see $LOGS/$part.log"
    fi
  done
done
