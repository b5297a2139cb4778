#!/usr/bin/env bash
# Stop the local stack of one profile gracefully. Data stays; stack-clean removes it.
source "$(dirname "$0")/profile.sh"

# signal PIDFILE: SIGTERM the server, and resume it: one that a fault run paused would hold the TERM
# until killed.
signal() {
  local pid
  read -r pid <"$1"
  kill -TERM "$pid"
  kill -CONT "$pid"
}

# stop NAME PIDFILE RUNNING SECONDS: SIGTERM, then wait; only when the server hangs past SECONDS is
# it killed.
stop() {
  local name=$1 pidfile=$2 running=$3 seconds=$4 pid i
  if ! $running; then rm -f "$pidfile"; return 0; fi
  read -r pid <"$pidfile"
  log "$name: stopping (pid $pid)"
  signal "$pidfile"
  for ((i = 0; i < seconds * 2; i++)); do
    $running || { rm -f "$pidfile"; return 0; }
    sleep 0.5
  done
  warn "$name did not stop within ${seconds}s; killing pid $pid"
  kill -KILL "$pid"
  rm -f "$pidfile"
}

# stop_kafka SECONDS: stop every broker at once. Kafka's SIGTERM handler does a controlled shutdown
# (flushes logs, writes the clean-shutdown marker) that can take a while on a busy box, and that
# the controller quorum must approve: brokers stopped one after the other would leave the last
# waiting for a quorum that is gone. Even at once, one can still be waiting when the majority has
# exited (sooner when a fault run killed one), so once it has, the rest get a short grace only. A
# killed broker costs a log recovery at its next start.
stop_kafka() {
  local seconds=$1 majority=$((KAFKA_BROKER_COUNT / 2 + 1)) grace=10 n pid i end why
  local -a running=() left
  why="within ${seconds}s"
  for n in "${!KAFKA_BROKER_DIR[@]}"; do
    if kafka_broker_running "$n"; then
      read -r pid <"${KAFKA_BROKER_DIR[n]}/kafka.pid"
      log "${KAFKA_BROKER_NAME[n]}: stopping (pid $pid)"
      signal "${KAFKA_BROKER_DIR[n]}/kafka.pid"
      running+=("$n")
    fi
  done
  end=$((seconds * 2))
  for ((i = 0; i < end && ${#running[@]} > 0; i++)); do
    sleep 0.5
    left=()
    for n in "${running[@]}"; do if kafka_broker_running "$n"; then left+=("$n"); fi; done
    running=("${left[@]}")
    if [ ${#running[@]} -lt "$majority" ] && [ "$end" -gt $((i + grace * 2)) ]; then
      end=$((i + grace * 2)) why="once the controller quorum was gone"
    fi
  done
  for n in "${running[@]}"; do
    read -r pid <"${KAFKA_BROKER_DIR[n]}/kafka.pid"
    warn "${KAFKA_BROKER_NAME[n]} did not stop $why; killing pid $pid"
    kill -KILL "$pid"
  done
  for n in "${!KAFKA_BROKER_DIR[@]}"; do rm -f "${KAFKA_BROKER_DIR[n]}/kafka.pid"; done
}

stop "lag exporter" "$DIR/lag-exporter.pid" lag_exporter_running 10
stop_database_uis
stop prometheus "$PROMETHEUS_DIR/prometheus.pid" prometheus_running 30
stop ferretdb "$FERRETDB_DIR/ferretdb.pid" ferretdb_running 30
stop_kafka 120
if postgres_running; then
  log "postgres: stopping"
  # Fast mode: roll back open transactions and checkpoint, rather than wait for clients to leave.
  as_pg "$(pg_bin)/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null
fi
log "profile $PROFILE is down"
