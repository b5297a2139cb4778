# shellcheck shell=bash disable=SC2034 # the variables set here are read by the scripts sourcing it
# Profile of the local stack, sourced by the scripts in scripts/stack/. Several profiles run side by
# side (make test uses `test` with offset 100, each engineer their own), so every port derives from
# DOCPIPE_PORT_OFFSET and every file lives under $LOCAL/$PROFILE.
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

PROFILE=${DOCPIPE_PROFILE:-local}
[[ $PROFILE =~ ^[a-z0-9][a-z0-9_-]{0,30}$ ]] \
  || die "DOCPIPE_PROFILE='$PROFILE': use lowercase letters, digits, '-' or '_' (at most 31)"
DIR=$LOCAL/$PROFILE

# The offset is remembered with the profile, so that `down`, `status` and `env.sh` called without it
# still find the ports that `up` used.
if [ -n "${DOCPIPE_PORT_OFFSET:-}" ]; then
  OFFSET=$DOCPIPE_PORT_OFFSET
elif [ -f "$DIR/offset" ]; then
  OFFSET=$(<"$DIR/offset")
else
  OFFSET=0
fi
if ! [[ $OFFSET =~ ^[0-9]{1,5}$ ]] || [ "$OFFSET" -gt 40000 ]; then
  die "DOCPIPE_PORT_OFFSET='$OFFSET': use a whole number from 0 to 40000"
fi

POSTGRES_PORT=${DOCPIPE_POSTGRES_PORT:-$((15432 + OFFSET))}
KAFKA_PORT=${DOCPIPE_KAFKA_PORT:-$((19092 + OFFSET))}
KAFKA_CONTROLLER_PORT=$((KAFKA_PORT + 1))
KAFKA_METRICS_PORT=${DOCPIPE_KAFKA_METRICS_PORT:-$((19404 + OFFSET))}
FERRETDB_PORT=${DOCPIPE_FERRETDB_PORT:-$((27018 + OFFSET))}
PROMETHEUS_PORT=${DOCPIPE_PROMETHEUS_PORT:-$((19090 + OFFSET))}
LAG_EXPORTER_PORT=${DOCPIPE_LAG_EXPORTER_PORT:-$((19308 + OFFSET))}
# The services themselves are not started here, but Prometheus scrapes them and env.sh hands them
# these ports, so that two profiles' services do not collide either.
INGEST_PORT=${DOCPIPE_INGEST_PORT:-$((8080 + OFFSET))}
CONSUMER_METRICS_PORT=${DOCPIPE_CONSUMER_METRICS_PORT:-$((9464 + OFFSET))}

DOCUMENTS_PARTITIONS=${DOCPIPE_DOCUMENTS_PARTITIONS:-6}
[[ $DOCUMENTS_PARTITIONS =~ ^[1-9][0-9]{0,2}$ ]] \
  || die "DOCPIPE_DOCUMENTS_PARTITIONS='$DOCUMENTS_PARTITIONS': use a number from 1 to 999"

# FerretDB keeps its data in SQLite files under the profile. Measured with the consumer's write
# pattern (unordered insertMany of 10k small documents, 1.5k of them duplicates): both backends
# return one E11000 per duplicate and store the rest, but SQLite took 1.3-1.9 s against 2.0-2.9 s
# for PostgreSQL, which also logs an error line per failed row (same 1.0 s for 10k new documents).
FERRETDB_DIR=$DIR/ferretdb
KAFKA_DIR=$DIR/kafka
KAFKA_HOME=$CACHE/kafka-$KAFKA_VERSION
JMX_AGENT=$CACHE/jmx_prometheus_javaagent-$JMX_EXPORTER_VERSION.jar
PG_DIR=$DIR/postgres
PGDATA_DIR=$PG_DIR/data
PROMETHEUS_DIR=$DIR/prometheus
SECRETS=$DIR/secrets.env

# Postgres refuses to run as root: root runs the cluster as the `postgres` system user that the
# Debian packages create; anybody else runs it as themselves.
if [ "$(id -u)" -eq 0 ]; then PG_OS_USER=postgres; else PG_OS_USER=$(id -un); fi

# as_pg CMD...: run CMD as the owner of the Postgres cluster.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$PG_OS_USER" -- "$@"; else "$@"; fi
}

# ensure_secrets: random per-profile secrets, made once, readable only by the owner. Nothing in
# scripts/stack prints them except env.sh, whose output is meant for `eval`.
ensure_secrets() {
  mkdir -p "$DIR"
  [ -s "$SECRETS" ] && return 0
  (
    umask 077
    {
      echo "POSTGRES_SUPERUSER_PASSWORD=$(random_token 24)"
      echo "POSTGRES_DOCPIPE_PASSWORD=$(random_token 24)"
      echo "JWT_KEYS=$PROFILE-1:$(random_token 48)"
    } >"$SECRETS.part"
    mv "$SECRETS.part" "$SECRETS"
  )
}

# random_token BYTES: URL-safe base64 of random bytes, usable in a URL's password without quoting.
random_token() {
  head -c "$1" /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '='
}

load_secrets() {
  ensure_secrets
  # shellcheck source=/dev/null
  source "$SECRETS"
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# pid_alive PIDFILE MARKER: the pid in PIDFILE runs and its command line contains MARKER (a path of
# this profile), so a recycled pid or another profile's server is never taken for ours.
pid_alive() {
  local pid
  [ -s "$1" ] || return 1
  read -r pid <"$1"
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2"
}

# wait_for WHAT SECONDS LOG ALIVE CHECK...: poll CHECK every half second while the command ALIVE
# says the process still runs; on its death or on timeout show the log's tail and fail.
wait_for() {
  local what=$1 seconds=$2 logfile=$3 alive=$4 i
  shift 4
  for ((i = 0; i < seconds * 2; i++)); do
    "$@" && return 0
    $alive || { fail_with_log "$what exited during start-up" "$logfile"; }
    sleep 0.5
  done
  fail_with_log "$what did not become ready within ${seconds}s" "$logfile"
}

fail_with_log() {
  warn "$1; last lines of $2:"
  tail -n 40 "$2" >&2 || true
  die "$1 (profile $PROFILE)"
}

# The servers of the stack: whether this profile's instance runs. The markers are paths of this
# profile that appear on each server's command line.
postgres_running() {
  [ -s "$PGDATA_DIR/postmaster.pid" ] && pid_alive "$PGDATA_DIR/postmaster.pid" "$PGDATA_DIR"
}
kafka_running() { pid_alive "$KAFKA_DIR/kafka.pid" "$KAFKA_DIR/server.properties"; }
ferretdb_running() { pid_alive "$FERRETDB_DIR/ferretdb.pid" "$FERRETDB_DIR/data"; }
prometheus_running() { pid_alive "$PROMETHEUS_DIR/prometheus.pid" "$PROMETHEUS_DIR/prometheus.yml"; }
lag_exporter_running() { pid_alive "$DIR/lag-exporter.pid" "kafka-lag-exporter.mjs $LAG_EXPORTER_PORT"; }

# kafka_tool CLASS ARGS...: run one of Kafka's command-line tools from the cached jars.
kafka_tool() {
  java -Xmx256m -Dlog4j2.configurationFile="$ROOT/config/kafka/tools-log4j2.xml" \
    -cp "$KAFKA_HOME/libs/*" "$@"
}

# render TEMPLATE DEST NAME...: copy TEMPLATE to DEST replacing each @NAME@ with $NAME.
render() {
  local template=$1 dest=$2 text name
  shift 2
  text=$(<"$template")
  for name in "$@"; do text=${text//@$name@/${!name}}; done
  if [[ $text =~ @[A-Z_]+@ ]]; then die "render $template: no value for ${BASH_REMATCH[0]}"; fi
  printf '%s\n' "$text" >"$dest.part"
  mv "$dest.part" "$dest"
}
