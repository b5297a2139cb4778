#!/usr/bin/env bash
# Stop the local stack of one profile gracefully. Data stays; stack-clean removes it.
source "$(dirname "$0")/profile.sh"

# stop NAME PIDFILE RUNNING SECONDS: SIGTERM, then wait. Kafka's SIGTERM handler does a controlled
# shutdown (flushes logs, writes the clean-shutdown marker) that can take a while on a busy box;
# only when it hangs past SECONDS is it killed, which costs a log recovery at the next start.
stop() {
  local name=$1 pidfile=$2 running=$3 seconds=$4 pid i
  if ! $running; then rm -f "$pidfile"; return 0; fi
  read -r pid <"$pidfile"
  log "$name: stopping (pid $pid)"
  kill -TERM "$pid"
  for ((i = 0; i < seconds * 2; i++)); do
    $running || { rm -f "$pidfile"; return 0; }
    sleep 0.5
  done
  warn "$name did not stop within ${seconds}s; killing pid $pid"
  kill -KILL "$pid"
  rm -f "$pidfile"
}

stop "lag exporter" "$DIR/lag-exporter.pid" lag_exporter_running 10
stop prometheus "$PROMETHEUS_DIR/prometheus.pid" prometheus_running 30
stop ferretdb "$FERRETDB_DIR/ferretdb.pid" ferretdb_running 30
stop kafka "$KAFKA_DIR/kafka.pid" kafka_running 120
if postgres_running; then
  log "postgres: stopping"
  # Fast mode: roll back open transactions and checkpoint, rather than wait for clients to leave.
  as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null
fi
log "profile $PROFILE is down"
