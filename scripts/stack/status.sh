#!/usr/bin/env bash
# Show which servers of one profile run, where they listen and where their logs are.
source "$(dirname "$0")/profile.sh"

row() {
  local state=stopped
  if $2; then state=running; fi
  printf '  %-11s %-8s 127.0.0.1:%-6s %s\n' "$1" "$state" "$3" "$4"
}

echo "profile $PROFILE (port offset $OFFSET, data in $DIR)"
row postgres postgres_running "$POSTGRES_PORT" "$PG_DIR/server.log"
row kafka kafka_running "$KAFKA_PORT" "$KAFKA_DIR/logs/server.log (metrics :$KAFKA_METRICS_PORT)"
row ferretdb ferretdb_running "$FERRETDB_PORT" "$FERRETDB_DIR/ferretdb.log"
row lag-exporter lag_exporter_running "$LAG_EXPORTER_PORT" "$DIR/lag-exporter.log"
row prometheus prometheus_running "$PROMETHEUS_PORT" "$PROMETHEUS_DIR/prometheus.log"
