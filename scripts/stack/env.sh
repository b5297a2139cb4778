#!/usr/bin/env bash
# Print `export NAME=value` lines with everything the services and tests need to use one profile:
#   eval "$(DOCPIPE_PROFILE=test scripts/stack/env.sh)"
# The output holds the profile's secrets: eval it, do not log it.
source "$(dirname "$0")/profile.sh"

load_secrets
emit() { printf 'export %s=%q\n' "$1" "$2"; }

emit DOCPIPE_PROFILE "$PROFILE"
emit DOCPIPE_PORT_OFFSET "$OFFSET"
emit DOCPIPE_KAFKA_BROKERS "$KAFKA_BROKER_COUNT"
emit DOCPIPE_POSTGRES_PORT "$POSTGRES_PORT"
emit DOCPIPE_KAFKA_PORT "$KAFKA_PORT"
emit DOCPIPE_KAFKA_METRICS_PORT "$KAFKA_METRICS_PORT"
emit DOCPIPE_FERRETDB_PORT "$FERRETDB_PORT"
emit DOCPIPE_PROMETHEUS_PORT "$PROMETHEUS_PORT"
emit DOCPIPE_LAG_EXPORTER_PORT "$LAG_EXPORTER_PORT"
emit DOCPIPE_INGEST_PORT "$INGEST_PORT"
emit DOCPIPE_CONSUMER_METRICS_PORT "$CONSUMER_METRICS_PORT"
emit KAFKA_BROKERS "$KAFKA_BOOTSTRAP"
# The brokers take SCRAM users only. The services each connect as their own (ServiceProcess and
# scripts/local.sh set KAFKA_SASL_* from these); the super user creates a pipeline's topics and
# grants the services their ACLs, where a cluster has the operator, and serves tests and tools.
if [ -n "${KAFKA_ADMIN_USER:-}" ]; then
  emit KAFKA_ADMIN_SASL_USERNAME "$KAFKA_ADMIN_USER"
  emit KAFKA_ADMIN_SASL_PASSWORD "$KAFKA_ADMIN_PASSWORD"
  emit DOCPIPE_KAFKA_INGEST_SASL_USERNAME "$KAFKA_INGEST_USER"
  emit DOCPIPE_KAFKA_INGEST_SASL_PASSWORD "$KAFKA_INGEST_PASSWORD"
  emit DOCPIPE_KAFKA_CONSUMER_SASL_USERNAME "$KAFKA_CONSUMER_USER"
  emit DOCPIPE_KAFKA_CONSUMER_SASL_PASSWORD "$KAFKA_CONSUMER_PASSWORD"
fi
if [ "$KAFKA_PROXY" -eq 1 ]; then
  # The addresses the brokers' PROXIED listeners advertise, and the TCP proxies the fault harness
  # runs for them, as proxy port=listener port.
  proxied='' routes=''
  for n in "${!KAFKA_BROKER_DIR[@]}"; do
    proxied+=${proxied:+,}127.0.0.1:${KAFKA_BROKER_PROXY_PORT[n]}
    routes+=${routes:+,}${KAFKA_BROKER_PROXY_PORT[n]}=${KAFKA_BROKER_PROXIED_PORT[n]}
  done
  emit KAFKA_PROXIED_BROKERS "$proxied"
  emit DOCPIPE_KAFKA_PROXY_ROUTES "$routes"
fi
emit MONGODB_URI "mongodb://127.0.0.1:$FERRETDB_PORT/"
emit MONGODB_DATABASE docpipe
# For the jobs' store-indexes: the stack's FerretDB runs on SQLite, on this machine.
emit FERRETDB_SQLITE_URL "$FERRETDB_SQLITE_URL"
emit DATABASE_URL "postgres://docpipe:$POSTGRES_DOCPIPE_PASSWORD@127.0.0.1:$POSTGRES_PORT/docpipe"
emit PORT "$INGEST_PORT"
emit METRICS_PORT "$CONSUMER_METRICS_PORT"
emit JWT_KEYS "$JWT_KEYS"
# The services load the repository's pipelines, and create their topics: the stack has no operator
# that would create them from the specs.
emit PIPELINES_DIR "$ROOT/pipelines"
emit KAFKA_CREATE_TOPICS true
emit PROMETHEUS_URL "http://127.0.0.1:$PROMETHEUS_PORT"
database_uis_env
