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

# kafka_replication: the replication factor and min.insync.replicas of every topic, internal ones
# included. One broker allows nothing but 1 and 1; three run as the production cluster does
# (cdk8s' environments), so a fault run meets the same acks=all limits as production.
kafka_replication() {
  local config=$ROOT/cdk8s/lib/src/config.js
  if [ "$KAFKA_BROKER_COUNT" -eq 1 ]; then echo 1 1; return; fi
  [ -f "$config" ] || die "$config is missing: run 'make build'"
  node --input-type=module -e "
    import { environments } from '$config';
    const { replicationFactor, minInSyncReplicas } = environments.production.kafka;
    const rf = Math.min(replicationFactor, $KAFKA_BROKER_COUNT);
    console.log(rf, Math.min(minInSyncReplicas, rf));" \
    || die "reading the production Kafka settings from $config failed"
}

# kafka_cluster_id: the id every broker of the profile is formatted with, made once. A cluster id is
# 16 random bytes in URL-safe base64, which is what random_token 16 yields.
kafka_cluster_id() {
  [ -s "$KAFKA_DIR/cluster-id" ] || random_token 16 >"$KAFKA_DIR/cluster-id"
  cat "$KAFKA_DIR/cluster-id"
}

# mount_data_tmpfs N: broker N's data folder as a tmpfs of its own (DOCPIPE_KAFKA_DATA_TMPFS_MB).
# It stays mounted while the broker is down, so the data outlives a restart; clean.sh unmounts it.
# Kafka preallocates each index file at its full size, but as a sparse file, and a tmpfs counts only
# the pages written: the default index size costs a small tmpfs nothing.
mount_data_tmpfs() {
  local data=${KAFKA_BROKER_DIR[$1]}/data
  mountpoint -q "$data" && return 0
  [ "$(id -u)" -eq 0 ] \
    || die "DOCPIPE_KAFKA_DATA_TMPFS_MB=$KAFKA_TMPFS_MB: mounting a tmpfs on $data needs root; run as root, or set it to 0"
  mkdir -p "$data"
  log "${KAFKA_BROKER_NAME[$1]}: mounting a tmpfs of $KAFKA_TMPFS_MB MiB on $data"
  mount -t tmpfs -o "size=${KAFKA_TMPFS_MB}m,mode=0700" "docpipe-$PROFILE-kafka" "$data" \
    || die "mounting a tmpfs on $data failed"
}

# start_kafka_broker N: start broker N unless it runs, formatting its storage on the first start.
start_kafka_broker() {
  local n=$1 name=${KAFKA_BROKER_NAME[$1]} dir=${KAFKA_BROKER_DIR[$1]} port=${KAFKA_BROKER_PORT[$1]}
  local controller=${KAFKA_BROKER_CONTROLLER_PORT[$1]} metrics=${KAFKA_BROKER_METRICS_PORT[$1]} heap proxied=
  if kafka_broker_running "$n"; then log "$name already running on 127.0.0.1:$port"; return; fi
  port_free "$port" "$name"
  port_free "$controller" "$name controller"
  port_free "$metrics" "$name metrics"
  [ "$KAFKA_TMPFS_MB" -eq 0 ] || mount_data_tmpfs "$n"
  mkdir -p "$dir/data" "$dir/logs"
  # shellcheck disable=SC2034 # render reads them by name
  local KAFKA_NODE_ID=$n KAFKA_DATA_DIR=$dir/data
  local KAFKA_LISTENERS=CLIENT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
  local KAFKA_ADVERTISED_LISTENERS=CLIENT://127.0.0.1:$port
  local KAFKA_LISTENER_PROTOCOLS=CLIENT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
  if [ "$KAFKA_PROXY" -eq 1 ]; then
    port_free "${KAFKA_BROKER_PROXIED_PORT[n]}" "$name proxied listener"
    KAFKA_LISTENERS+=,PROXIED://127.0.0.1:${KAFKA_BROKER_PROXIED_PORT[n]}
    KAFKA_ADVERTISED_LISTENERS+=,PROXIED://127.0.0.1:${KAFKA_BROKER_PROXY_PORT[n]}
    KAFKA_LISTENER_PROTOCOLS+=,PROXIED:SASL_PLAINTEXT
    proxied=", proxied :${KAFKA_BROKER_PROXIED_PORT[n]} behind :${KAFKA_BROKER_PROXY_PORT[n]}"
  fi
  # It holds the super user's and the controller's passwords; format's log, the users' SCRAM keys.
  local umask_before
  umask_before=$(umask)
  umask 077
  render "$ROOT/config/kafka/server.properties" "$dir/server.properties" KAFKA_NODE_ID KAFKA_VOTERS \
    KAFKA_LISTENERS KAFKA_ADVERTISED_LISTENERS KAFKA_LISTENER_PROTOCOLS KAFKA_DATA_DIR \
    KAFKA_REPLICATION_FACTOR KAFKA_MIN_ISR KAFKA_ADMIN_USER KAFKA_ADMIN_PASSWORD KAFKA_CONTROLLER_PASSWORD
  if [ ! -s "$dir/data/meta.properties" ]; then
    log "$name: formatting storage in $dir/data, with the SCRAM users $KAFKA_ADMIN_USER, $KAFKA_INGEST_USER and $KAFKA_CONSUMER_USER"
    # The cluster id goes after '=': one id in 64 starts with '-', which the parser would take for
    # an option. SCRAM credentials live in the cluster's metadata, so they are written with it.
    local scram=() user password
    for user in ADMIN INGEST CONSUMER; do
      password=KAFKA_${user}_PASSWORD user=KAFKA_${user}_USER
      scram+=(--add-scram "SCRAM-SHA-512=[name=${!user},password=${!password}]")
    done
    kafka_tool kafka.tools.StorageTool format --cluster-id="$(kafka_cluster_id)" \
      --config "$dir/server.properties" "${scram[@]}" >"$dir/logs/format.log" 2>&1 \
      || fail_with_log "formatting $name storage failed" "$dir/logs/format.log"
  fi
  umask "$umask_before"
  # One broker keeps the heap it always had; three share the box's cores and memory with the rest of
  # the stack.
  if [ "$KAFKA_BROKER_COUNT" -eq 1 ]; then heap=(-Xms512m -Xmx1g); else heap=(-Xms512m -Xmx512m); fi
  log "$name: starting on 127.0.0.1:$port (controller :$controller, metrics :$metrics$proxied)"
  # JVM flags are those of Kafka's own kafka-server-start.sh, with a heap fit for a test box.
  launch "$dir/kafka.pid" "$dir/logs/kafka.out" \
    java "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
    -Dkafka.logs.dir="$dir/logs" -Dlog4j2.configurationFile="$ROOT/config/kafka/log4j2.xml" \
    -javaagent:"$JMX_AGENT=127.0.0.1:$metrics:$ROOT/config/kafka-metrics.yaml" \
    -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$dir/server.properties"
}

# start_kafka: start the brokers that do not run, all before waiting for any: with three, none
# gets ready until a majority of the controllers has formed the quorum.
start_kafka() {
  local n replication
  if [ ! -f "$KAFKA_HOME/.installed" ] || [ ! -s "$JMX_AGENT" ]; then
    die "Kafka is not installed: run scripts/install/kafka.sh"
  fi
  replication=$(kafka_replication)
  # shellcheck disable=SC2034 # render reads KAFKA_MIN_ISR by name
  read -r KAFKA_REPLICATION_FACTOR KAFKA_MIN_ISR <<<"$replication"
  KAFKA_VOTERS=
  for n in "${!KAFKA_BROKER_DIR[@]}"; do
    KAFKA_VOTERS+=${KAFKA_VOTERS:+,}$n@127.0.0.1:${KAFKA_BROKER_CONTROLLER_PORT[n]}
  done
  mkdir -p "$KAFKA_DIR"
  kafka_security
  for n in "${!KAFKA_BROKER_DIR[@]}"; do start_kafka_broker "$n"; done
}

# kafka_security: the names of the SCRAM users, fixed when the brokers are first formatted, and the
# super user's settings for Kafka's tools.
kafka_security() {
  if [ ! -s "$KAFKA_USERS" ]; then
    [ ! -s "$KAFKA_DIR/data/meta.properties" ] \
      || die "profile $PROFILE holds Kafka data made before its brokers had SCRAM users: delete it first (scripts/stack/clean.sh)"
    node --input-type=module -e "
      import { LOCAL_KAFKA_USERS as u } from '$ROOT/packages/contract/dist/index.js';
      console.log(['KAFKA_ADMIN_USER=' + u.admin, 'KAFKA_INGEST_USER=' + u.ingest, 'KAFKA_CONSUMER_USER=' + u.consumer].join('\\n'));" \
      >"$KAFKA_USERS.part" || die "reading the contract failed: run 'make build'"
    mv "$KAFKA_USERS.part" "$KAFKA_USERS"
  fi
  # shellcheck source=/dev/null
  source "$KAFKA_USERS"
  (
    umask 077
    printf '%s\n' security.protocol=SASL_PLAINTEXT sasl.mechanism=SCRAM-SHA-512 \
      "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$KAFKA_ADMIN_USER\" password=\"$KAFKA_ADMIN_PASSWORD\";" \
      >"$KAFKA_ADMIN_PROPERTIES"
  )
}

# wait_for_kafka: every broker accepts clients and is registered with the controllers, so that the
# topics created next get their replicas on all of them.
wait_for_kafka() {
  local n
  [ -d "$ROOT/node_modules/kafkajs" ] || die "waiting for the Kafka brokers needs the npm dependencies: run make deps"
  for n in "${!KAFKA_BROKER_DIR[@]}"; do
    wait_for "${KAFKA_BROKER_NAME[n]}" 120 "${KAFKA_BROKER_DIR[n]}/logs/kafka.out" "kafka_broker_running $n" \
      port_open "${KAFKA_BROKER_PORT[n]}"
  done
  wait_for kafka 60 "$KAFKA_DIR/logs/kafka.out" kafka_running kafka_brokers_registered
}

# kafka_brokers_registered: the cluster's metadata names every broker of the profile (a broker
# appears in it once the controllers have unfenced it). kafkajs answers in a fraction of the time a
# Kafka tool's JVM takes to start.
kafka_brokers_registered() {
  local count
  count=$(DOCPIPE_KAFKA_ADMIN_PASSWORD=$KAFKA_ADMIN_PASSWORD node --no-warnings --input-type=module -e "
    import { Kafka, logLevel } from '$ROOT/node_modules/kafkajs/index.js';
    const sasl = { mechanism: 'scram-sha-512', username: '$KAFKA_ADMIN_USER', password: process.env.DOCPIPE_KAFKA_ADMIN_PASSWORD };
    const kafka = new Kafka({ brokers: '$KAFKA_BOOTSTRAP'.split(','), sasl, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const admin = kafka.admin();
    await admin.connect();
    console.log((await admin.describeCluster()).brokers.length);
    await admin.disconnect();" 2>/dev/null) || return 1
  [ "$count" -eq "$KAFKA_BROKER_COUNT" ]
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
  existing=$(kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --command-config "$KAFKA_ADMIN_PROPERTIES" --list) \
    || die "kafka: listing topics failed"
  while read -r topic partitions retention; do
    grep -qxF "$topic" <<<"$existing" && continue
    [ "$topic" = "$default_topic" ] && partitions=$DOCUMENTS_PARTITIONS
    log "kafka: creating topic $topic, partitions: $partitions"
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" \
      --command-config "$KAFKA_ADMIN_PROPERTIES" --create \
      --if-not-exists --topic "$topic" --partitions "$partitions" --replication-factor "$KAFKA_REPLICATION_FACTOR" \
      --config "retention.ms=$retention" >/dev/null \
      || die "kafka: creating topic $topic failed"
  done <<<"$wanted"
  # The first consumer group makes the broker create __consumer_offsets and load its partitions,
  # which clients meet as "coordinator not available" errors and a slow first join. Describing a
  # group once (it need not exist) moves that wait here, before any test runs.
  if ! grep -qxF __consumer_offsets <<<"$existing"; then
    kafka_tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "$KAFKA_BOOTSTRAP" \
      --command-config "$KAFKA_ADMIN_PROPERTIES" \
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
    -sqlite-url "$FERRETDB_SQLITE_URL"
}

start_prometheus() {
  need prometheus "Install it with scripts/install/prometheus.sh."
  if prometheus_running; then log "prometheus already running on 127.0.0.1:$PROMETHEUS_PORT"; return; fi
  port_free "$PROMETHEUS_PORT" prometheus
  mkdir -p "$PROMETHEUS_DIR/data"
  local KAFKA_METRICS_TARGETS='' n
  for n in "${!KAFKA_BROKER_DIR[@]}"; do
    KAFKA_METRICS_TARGETS+=${KAFKA_METRICS_TARGETS:+, }\"127.0.0.1:${KAFKA_BROKER_METRICS_PORT[n]}\"
  done
  render "$ROOT/config/prometheus/prometheus.yml" "$PROMETHEUS_DIR/prometheus.yml" \
    PROFILE INGEST_PORT CONSUMER_METRICS_PORT KAFKA_METRICS_TARGETS LAG_EXPORTER_PORT PROMETHEUS_PORT
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
  # The credentials go by env: a command line is readable by every user of the machine.
  KAFKA_SASL_USERNAME=$KAFKA_ADMIN_USER KAFKA_SASL_PASSWORD=$KAFKA_ADMIN_PASSWORD \
    launch "$DIR/lag-exporter.pid" "$DIR/lag-exporter.log" \
    node "$ROOT/scripts/stack/kafka-lag-exporter.mjs" "$LAG_EXPORTER_PORT" "$KAFKA_BOOTSTRAP"
}

prometheus_ready() { curl -fs -o /dev/null "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"; }

mkdir -p "$DIR"
for name in "${!SETTING[@]}"; do
  [ "${SETTING[$name]}" = "${STORED[$name]}" ] && continue
  if postgres_running || kafka_running || ferretdb_running || prometheus_running || lag_exporter_running; then
    die "profile $PROFILE runs with $name=${STORED[$name]}, not ${SETTING[$name]}: stop it first (scripts/stack/down.sh)"
  fi
  # The brokers' storage is made for one quorum and on one kind of folder.
  case $name in
    DOCPIPE_KAFKA_BROKERS | DOCPIPE_KAFKA_DATA_TMPFS_MB)
      [ ! -s "$KAFKA_DIR/data/meta.properties" ] \
        || die "profile $PROFILE holds Kafka data made with $name=${STORED[$name]}, not ${SETTING[$name]}: delete it first (scripts/stack/clean.sh)"
      ;;
  esac
done
for name in "${!SETTING[@]}"; do echo "${SETTING[$name]}" >"$DIR/${SETTING_FILE[$name]}"; done
load_secrets

log "starting profile $PROFILE (port offset $OFFSET) in $DIR"
# Kafka's JVM takes longest to come up, so it starts first and the others start meanwhile.
start_kafka
start_postgres
start_ferretdb
wait_for ferretdb 30 "$FERRETDB_DIR/ferretdb.log" ferretdb_running port_open "$FERRETDB_PORT"
start_prometheus
wait_for prometheus 30 "$PROMETHEUS_DIR/prometheus.log" prometheus_running prometheus_ready
wait_for_kafka
create_topics
start_lag_exporter
wait_for "lag exporter" 30 "$DIR/lag-exporter.log" lag_exporter_running port_open "$LAG_EXPORTER_PORT"
start_database_uis
log "profile $PROFILE is up; load its environment with: eval \"\$(DOCPIPE_PROFILE=$PROFILE scripts/stack/env.sh)\""
