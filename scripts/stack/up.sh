#!/usr/bin/env bash
# Start the local stack of one profile (DOCPIPE_PROFILE, DOCPIPE_PORT_OFFSET): Postgres, Kafka,
# FerretDB, Prometheus. Servers already running are left alone; data persists across restarts.
source "$(dirname "$0")/profile.sh"

bash "$ROOT/scripts/install/all.sh"

# port_free PORT WHAT: fail early and clearly when another program (often another profile started
# with the same offset) holds a port we are about to use.
port_free() {
  if port_open "$1"; then
    die "port $1 ($2) is already in use; pick another DOCPIPE_PORT_OFFSET for profile $PROFILE"
  fi
}

# launch PIDFILE LOG CMD...: start CMD detached (own session: a Ctrl-C in the terminal that ran
# `make stack-up` must not reach it) and record its pid.
launch() {
  local pidfile=$1 logfile=$2 pid argv0 i
  shift 2
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pidfile"
  # The child is a copy of this shell, then setsid, then the server. The *_running checks read its
  # command line, which lacks their marker before the last exec and reads empty during each exec,
  # even once /proc/<pid>/exe already names the server (seen in 20 of 116,000 reads): wait until
  # the command line is the server's own, whose first word is the command given here.
  for ((i = 0; i < 50; i++)); do
    argv0=
    IFS= read -r -d '' argv0 <"/proc/$pid/cmdline" 2>/dev/null || true
    [ "$argv0" != "$1" ] || return 0
    sleep 0.1
  done
}

start_postgres() {
  local bin
  bin=$(pg_bin) || die "Postgres is not installed: run scripts/install/postgres.sh"
  if postgres_running; then log "postgres already running on 127.0.0.1:$POSTGRES_PORT"; return; fi
  port_free "$POSTGRES_PORT" postgres
  mkdir -p "$PG_DIR"
  [ "$(id -u)" -ne 0 ] || chown "$PG_OS_USER:" "$PG_DIR"
  as_pg test -w "$PG_DIR" \
    || die "user $PG_OS_USER cannot write $PG_DIR (a parent folder is closed to it); set DOCPIPE_LOCAL to a folder it can reach"
  if [ ! -s "$PGDATA_DIR/PG_VERSION" ]; then
    log "postgres: creating the cluster in $PGDATA_DIR"
    local pwfile=$PG_DIR/.pwfile
    (umask 077 && printf '%s\n' "$POSTGRES_SUPERUSER_PASSWORD" >"$pwfile")
    [ "$(id -u)" -ne 0 ] || chown "$PG_OS_USER:" "$pwfile"
    as_pg "$bin/initdb" -D "$PGDATA_DIR" -U postgres --pwfile="$pwfile" --auth=scram-sha-256 \
      --encoding=UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1 \
      || { rm -f "$pwfile"; fail_with_log "initdb failed" "$PG_DIR/initdb.log"; }
    rm -f "$pwfile"
    echo "include 'docpipe.conf'" >>"$PGDATA_DIR/postgresql.conf"
  fi
  # Rewritten at each start so the port follows the profile's offset. Sized for a test box shared
  # by several profiles: a few hundred MB each, durability settings left at their safe defaults.
  cat >"$PGDATA_DIR/docpipe.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $POSTGRES_PORT
# TCP only: a socket path under a deep checkout can exceed the 107-byte limit, and the default
# /var/run/postgresql belongs to the system cluster.
unix_socket_directories = ''
max_connections = 200
shared_buffers = 256MB
effective_cache_size = 2GB
work_mem = 8MB
maintenance_work_mem = 128MB
max_wal_size = 2GB
checkpoint_timeout = 15min
random_page_cost = 1.1
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = 1000
EOF
  [ "$(id -u)" -ne 0 ] || chown "$PG_OS_USER:" "$PGDATA_DIR/docpipe.conf"
  log "postgres: starting on 127.0.0.1:$POSTGRES_PORT"
  as_pg "$bin/pg_ctl" -D "$PGDATA_DIR" -l "$PG_DIR/server.log" -w -t 60 start >/dev/null \
    || fail_with_log "postgres did not start" "$PG_DIR/server.log"
  # The password travels on stdin, never on a command line that `ps` would show.
  PGPASSWORD=$POSTGRES_SUPERUSER_PASSWORD "$bin/psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres \
    -d postgres -v ON_ERROR_STOP=1 -qAt >/dev/null <<EOF || die "postgres: creating role and database docpipe failed"
SELECT 'CREATE ROLE docpipe LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'docpipe')
\gexec
ALTER ROLE docpipe WITH LOGIN PASSWORD '$POSTGRES_DOCPIPE_PASSWORD';
SELECT 'CREATE DATABASE docpipe OWNER docpipe' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'docpipe')
\gexec
EOF
}

start_kafka() {
  if [ ! -f "$KAFKA_HOME/.installed" ] || [ ! -s "$JMX_AGENT" ]; then
    die "Kafka is not installed: run scripts/install/kafka.sh"
  fi
  if kafka_running; then log "kafka already running on 127.0.0.1:$KAFKA_PORT"; return; fi
  port_free "$KAFKA_PORT" kafka
  port_free "$KAFKA_CONTROLLER_PORT" "kafka controller"
  port_free "$KAFKA_METRICS_PORT" "kafka metrics"
  mkdir -p "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
  KAFKA_DATA_DIR=$KAFKA_DIR/data render "$ROOT/config/kafka/server.properties" "$KAFKA_DIR/server.properties" \
    KAFKA_PORT KAFKA_CONTROLLER_PORT KAFKA_DATA_DIR
  if [ ! -s "$KAFKA_DIR/data/meta.properties" ]; then
    log "kafka: formatting storage in $KAFKA_DIR/data"
    # A cluster id is 16 random bytes in URL-safe base64, which is what random_token 16 yields. It
    # goes after '=': one id in 64 starts with '-', which the parser would take for an option.
    kafka_tool kafka.tools.StorageTool format --cluster-id="$(random_token 16)" \
      --config "$KAFKA_DIR/server.properties" >"$KAFKA_DIR/logs/format.log" 2>&1 \
      || fail_with_log "formatting Kafka storage failed" "$KAFKA_DIR/logs/format.log"
  fi
  log "kafka: starting on 127.0.0.1:$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT, metrics :$KAFKA_METRICS_PORT)"
  # JVM flags are those of Kafka's own kafka-server-start.sh, with a heap fit for a test box.
  launch "$KAFKA_DIR/kafka.pid" "$KAFKA_DIR/logs/kafka.out" \
    java -Xms512m -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dkafka.logs.dir="$KAFKA_DIR/logs" -Dlog4j2.configurationFile="$ROOT/config/kafka/log4j2.xml" \
    -javaagent:"$JMX_AGENT=127.0.0.1:$KAFKA_METRICS_PORT:$ROOT/config/kafka-metrics.yaml" \
    -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$KAFKA_DIR/server.properties"
}

# create_topics: the topics of every pipeline in pipelines/ (named by the contract's rules, read
# through the pipeline CLI), created only when missing (idempotent across restarts). The default
# pipeline's documents topic takes DOCUMENTS_PARTITIONS, the knob the benchmark sets.
create_topics() {
  local existing wanted topic partitions retention default_topic cli=$ROOT/packages/pipeline/dist/cli.js
  [ -f "$cli" ] || die "$cli is missing: run 'make build'"
  wanted=$(node "$cli" topics "$ROOT/pipelines") || die "reading the pipelines' topics failed"
  default_topic=$(node --input-type=module -e "import { INVOICES } from '$ROOT/packages/contract/dist/index.js'; console.log(INVOICES.topics.documents)") \
    || die "reading the contract failed"
  existing=$(kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list) \
    || die "kafka: listing topics failed"
  while read -r topic partitions retention; do
    grep -qxF "$topic" <<<"$existing" && continue
    [ "$topic" = "$default_topic" ] && partitions=$DOCUMENTS_PARTITIONS
    log "kafka: creating topic $topic, partitions: $partitions"
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --create \
      --if-not-exists --topic "$topic" --partitions "$partitions" --replication-factor 1 \
      --config "retention.ms=$retention" >/dev/null \
      || die "kafka: creating topic $topic failed"
  done <<<"$wanted"
  # The first consumer group makes the broker create __consumer_offsets and load its partitions,
  # which clients meet as "coordinator not available" errors and a slow first join. Describing a
  # group once (it need not exist) moves that wait here, before any test runs.
  if ! grep -qxF __consumer_offsets <<<"$existing"; then
    kafka_tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
      --describe --group docpipe-stack-warmup >/dev/null 2>&1 || true
  fi
}

start_ferretdb() {
  [ -x "$CACHE/bin/ferretdb" ] || die "FerretDB is not installed: run scripts/install/ferretdb.sh"
  if ferretdb_running; then log "ferretdb already running on 127.0.0.1:$FERRETDB_PORT"; return; fi
  port_free "$FERRETDB_PORT" ferretdb
  mkdir -p "$FERRETDB_DIR/data"
  log "ferretdb: starting on 127.0.0.1:$FERRETDB_PORT (SQLite in $FERRETDB_DIR/data)"
  launch "$FERRETDB_DIR/ferretdb.pid" "$FERRETDB_DIR/ferretdb.log" \
    "$CACHE/bin/ferretdb" -listen-addr "127.0.0.1:$FERRETDB_PORT" -handler sqlite \
    -sqlite-url "file:$FERRETDB_DIR/data/"
}

start_prometheus() {
  need prometheus "Install it with scripts/install/prometheus.sh."
  if prometheus_running; then log "prometheus already running on 127.0.0.1:$PROMETHEUS_PORT"; return; fi
  port_free "$PROMETHEUS_PORT" prometheus
  mkdir -p "$PROMETHEUS_DIR/data"
  render "$ROOT/config/prometheus/prometheus.yml" "$PROMETHEUS_DIR/prometheus.yml" \
    PROFILE INGEST_PORT CONSUMER_METRICS_PORT KAFKA_METRICS_PORT LAG_EXPORTER_PORT PROMETHEUS_PORT
  promtool check config --syntax-only "$PROMETHEUS_DIR/prometheus.yml" >/dev/null \
    || die "prometheus: $PROMETHEUS_DIR/prometheus.yml is invalid (promtool check config)"
  log "prometheus: starting on 127.0.0.1:$PROMETHEUS_PORT"
  launch "$PROMETHEUS_DIR/prometheus.pid" "$PROMETHEUS_DIR/prometheus.log" \
    prometheus --config.file="$PROMETHEUS_DIR/prometheus.yml" --storage.tsdb.path="$PROMETHEUS_DIR/data" \
    --storage.tsdb.retention.time=7d --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --web.enable-lifecycle
}

start_lag_exporter() {
  [ -d "$ROOT/node_modules/kafkajs" ] || die "the lag exporter needs the npm dependencies: run make deps"
  if lag_exporter_running; then log "lag exporter already running on 127.0.0.1:$LAG_EXPORTER_PORT"; return; fi
  port_free "$LAG_EXPORTER_PORT" "lag exporter"
  log "lag exporter: starting on 127.0.0.1:$LAG_EXPORTER_PORT"
  launch "$DIR/lag-exporter.pid" "$DIR/lag-exporter.log" \
    node "$ROOT/scripts/stack/kafka-lag-exporter.mjs" "$LAG_EXPORTER_PORT" "127.0.0.1:$KAFKA_PORT"
}

prometheus_ready() { curl -fs -o /dev/null "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"; }

mkdir -p "$DIR"
if [ -f "$DIR/offset" ] && [ "$(<"$DIR/offset")" != "$OFFSET" ] \
    && { postgres_running || kafka_running || ferretdb_running || prometheus_running || lag_exporter_running; }; then
  die "profile $PROFILE runs with port offset $(<"$DIR/offset"), not $OFFSET: stop it first (scripts/stack/down.sh)"
fi
echo "$OFFSET" >"$DIR/offset"
load_secrets

log "starting profile $PROFILE (port offset $OFFSET) in $DIR"
# Kafka's JVM takes longest to come up, so it starts first and the others start meanwhile.
start_kafka
start_postgres
start_ferretdb
wait_for ferretdb 30 "$FERRETDB_DIR/ferretdb.log" ferretdb_running port_open "$FERRETDB_PORT"
start_prometheus
wait_for prometheus 30 "$PROMETHEUS_DIR/prometheus.log" prometheus_running prometheus_ready
wait_for kafka 120 "$KAFKA_DIR/logs/kafka.out" kafka_running port_open "$KAFKA_PORT"
create_topics
start_lag_exporter
wait_for "lag exporter" 30 "$DIR/lag-exporter.log" lag_exporter_running port_open "$LAG_EXPORTER_PORT"
log "profile $PROFILE is up; load its environment with: eval \"\$(DOCPIPE_PROFILE=$PROFILE scripts/stack/env.sh)\""
