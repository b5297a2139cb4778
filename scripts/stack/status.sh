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
for n in "${!KAFKA_BROKER_DIR[@]}"; do
  proxied=
  [ "$KAFKA_PROXY" -eq 0 ] || proxied=", proxied :${KAFKA_BROKER_PROXIED_PORT[n]} behind :${KAFKA_BROKER_PROXY_PORT[n]}"
  row "${KAFKA_BROKER_NAME[n]}" "kafka_broker_running $n" "${KAFKA_BROKER_PORT[n]}" \
    "${KAFKA_BROKER_DIR[n]}/logs/server.log (metrics :${KAFKA_BROKER_METRICS_PORT[n]}$proxied)"
done
row ferretdb ferretdb_running "$FERRETDB_PORT" "$FERRETDB_DIR/ferretdb.log"
row lag-exporter lag_exporter_running "$LAG_EXPORTER_PORT" "$DIR/lag-exporter.log"
row prometheus prometheus_running "$PROMETHEUS_PORT" "$PROMETHEUS_DIR/prometheus.log"
database_uis_status
