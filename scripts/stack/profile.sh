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

# The profile's settings: variable, file in $DIR, default. up.sh stores each with the profile, so
# that `down`, `status` and `env.sh` called without them still find the ports and brokers that `up`
# used; a variable given takes precedence (up.sh refuses a change while the profile runs).
# STORED holds what was stored (or the default), SETTING what is in force.
SETTINGS=(
  DOCPIPE_PORT_OFFSET offset 0
  DOCPIPE_KAFKA_BROKERS kafka-brokers 1
  DOCPIPE_KAFKA_PROXY kafka-proxy 0
  DOCPIPE_KAFKA_DATA_TMPFS_MB kafka-data-tmpfs-mb 0
  DOCPIPE_DATABASE_UIS database-uis 1
)
declare -A STORED=() SETTING=() SETTING_FILE=()
for ((i = 0; i < ${#SETTINGS[@]}; i += 3)); do
  name=${SETTINGS[i]}
  SETTING_FILE[$name]=${SETTINGS[i + 1]}
  STORED[$name]=${SETTINGS[i + 2]}
  if [ -f "$DIR/${SETTING_FILE[$name]}" ]; then STORED[$name]=$(<"$DIR/${SETTING_FILE[$name]}"); fi
  SETTING[$name]=${!name:-${STORED[$name]}}
done
unset i name

OFFSET=${SETTING[DOCPIPE_PORT_OFFSET]}
if ! [[ $OFFSET =~ ^[0-9]{1,5}$ ]] || [ "$OFFSET" -gt 40000 ]; then
  die "DOCPIPE_PORT_OFFSET='$OFFSET': use a whole number from 0 to 40000"
fi
# Three brokers, each also a KRaft controller as in the production cluster, let a fault run (make
# chaos) kill or pause one while the others keep serving.
KAFKA_BROKER_COUNT=${SETTING[DOCPIPE_KAFKA_BROKERS]}
[[ $KAFKA_BROKER_COUNT =~ ^[13]$ ]] || die "DOCPIPE_KAFKA_BROKERS='$KAFKA_BROKER_COUNT': use 1 or 3"
# A second listener per broker, for the clients that a fault run's TCP proxies stand in front of.
KAFKA_PROXY=${SETTING[DOCPIPE_KAFKA_PROXY]}
[[ $KAFKA_PROXY =~ ^[01]$ ]] || die "DOCPIPE_KAFKA_PROXY='$KAFKA_PROXY': use 0 (off) or 1"
# Each broker's data on a tmpfs of this many MiB, which a fault run can fill.
KAFKA_TMPFS_MB=${SETTING[DOCPIPE_KAFKA_DATA_TMPFS_MB]}
[[ $KAFKA_TMPFS_MB =~ ^(0|[1-9][0-9]{0,5})$ ]] \
  || die "DOCPIPE_KAFKA_DATA_TMPFS_MB='$KAFKA_TMPFS_MB': use a size in MiB from 1 to 999999, or 0 to keep the data on disk"

POSTGRES_PORT=${DOCPIPE_POSTGRES_PORT:-$((15432 + OFFSET))}
# Broker 1's client and metrics ports; the other brokers' follow from them (below).
KAFKA_PORT=${DOCPIPE_KAFKA_PORT:-$((19092 + OFFSET))}
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

# FerretDB keeps its data in SQLite files under the profile, not in PostgreSQL, whose jsonb cannot
# hold U+0000 in a string as MongoDB does. The jobs give each collection the _id index that
# FerretDB's lookups use (docs/store-lookups.md). Each of FerretDB's SQLite connections caches more
# pages than SQLite's default, which a large collection's _id index outgrows: writes then slowed
# with the collection's size (bench/README.md, "Growth").
FERRETDB_DIR=$DIR/ferretdb
FERRETDB_SQLITE_CACHE_KIB=${DOCPIPE_FERRETDB_CACHE_KIB:-65536}
[[ $FERRETDB_SQLITE_CACHE_KIB =~ ^[1-9][0-9]{0,7}$ ]] \
  || die "DOCPIPE_FERRETDB_CACHE_KIB='$FERRETDB_SQLITE_CACHE_KIB': use a whole number of KiB, above 0"
FERRETDB_SQLITE_URL="file:$FERRETDB_DIR/data/?_pragma=cache_size(-$FERRETDB_SQLITE_CACHE_KIB)"
KAFKA_DIR=$DIR/kafka
KAFKA_HOME=$CACHE/kafka-$KAFKA_VERSION
JMX_AGENT=$CACHE/jmx_prometheus_javaagent-$JMX_EXPORTER_VERSION.jar
PG_DIR=$DIR/postgres
PGDATA_DIR=$PG_DIR/data
PROMETHEUS_DIR=$DIR/prometheus
SECRETS=$DIR/secrets.env
# The SCRAM users the brokers were formatted with (up.sh), as the contract named them then.
KAFKA_USERS=$KAFKA_DIR/users.env
# The stack's super user's client settings for Kafka's own tools (--command-config).
KAFKA_ADMIN_PROPERTIES=$KAFKA_DIR/admin.properties

# The Kafka brokers, numbered from 1. Broker n listens for clients on KAFKA_PORT+2(n-1) and as a
# controller on the port after that, and serves metrics on KAFKA_METRICS_PORT+n-1. With
# DOCPIPE_KAFKA_PROXY=1 its PROXIED listener takes its client port+21 (R_n) and is advertised as
# its client port+20 (P_n), where the fault harness runs a TCP proxy P_n -> R_n: a client that
# bootstraps from a P_n learns only P_n addresses, so all its traffic crosses the proxies.
# Profiles' offsets step by 100, so two profiles' ports meet only where two default ports above end
# in the same two digits; the brokers' ports are picked to keep those endings apart.
# Broker 1 lives in $KAFKA_DIR, where a single broker always has, broker n>1 in $KAFKA_DIR/<n>;
# each folder holds server.properties, kafka.pid, data/ and logs/.
declare -a KAFKA_BROKER_NAME=() KAFKA_BROKER_DIR=() KAFKA_BROKER_PORT=() KAFKA_BROKER_CONTROLLER_PORT=() \
  KAFKA_BROKER_METRICS_PORT=() KAFKA_BROKER_PROXY_PORT=() KAFKA_BROKER_PROXIED_PORT=()
KAFKA_BOOTSTRAP=
for ((n = 1; n <= KAFKA_BROKER_COUNT; n++)); do
  if [ "$KAFKA_BROKER_COUNT" -eq 1 ]; then KAFKA_BROKER_NAME[n]=kafka; else KAFKA_BROKER_NAME[n]=kafka-$n; fi
  if [ "$n" -eq 1 ]; then KAFKA_BROKER_DIR[n]=$KAFKA_DIR; else KAFKA_BROKER_DIR[n]=$KAFKA_DIR/$n; fi
  KAFKA_BROKER_PORT[n]=$((KAFKA_PORT + 2 * (n - 1)))
  KAFKA_BROKER_CONTROLLER_PORT[n]=$((KAFKA_BROKER_PORT[n] + 1))
  KAFKA_BROKER_METRICS_PORT[n]=$((KAFKA_METRICS_PORT + n - 1))
  KAFKA_BROKER_PROXY_PORT[n]=$((KAFKA_BROKER_PORT[n] + 20))
  KAFKA_BROKER_PROXIED_PORT[n]=$((KAFKA_BROKER_PORT[n] + 21))
  KAFKA_BOOTSTRAP+=${KAFKA_BOOTSTRAP:+,}127.0.0.1:${KAFKA_BROKER_PORT[n]}
done
unset n

# Postgres refuses to run as root: root runs the cluster as the `postgres` system user that the
# Debian packages create; anybody else runs it as themselves.
if [ "$(id -u)" -eq 0 ]; then PG_OS_USER=postgres; else PG_OS_USER=$(id -un); fi

# as_pg CMD...: run CMD as the owner of the Postgres cluster.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u "$PG_OS_USER" -- "$@"; else "$@"; fi
}

# ensure_secrets: random per-profile secrets, made once, readable only by the owner. Nothing in
# scripts/stack prints them except env.sh, whose output is meant for `eval`. A profile made before a
# secret existed gets that one added, the others kept.
ensure_secrets() {
  local name value
  mkdir -p "$DIR"
  (
    umask 077
    touch "$SECRETS"
    cp "$SECRETS" "$SECRETS.part"
    for name in POSTGRES_SUPERUSER_PASSWORD POSTGRES_DOCPIPE_PASSWORD JWT_KEYS \
      KAFKA_ADMIN_PASSWORD KAFKA_CONTROLLER_PASSWORD KAFKA_INGEST_PASSWORD KAFKA_CONSUMER_PASSWORD \
      MONGO_EXPRESS_PASSWORD MONGO_EXPRESS_COOKIE_SECRET MONGO_EXPRESS_SESSION_SECRET; do
      grep -q "^$name=" "$SECRETS.part" && continue
      if [ "$name" = JWT_KEYS ]; then value=$PROFILE-1:$(random_token 48); else value=$(random_token 24); fi
      echo "$name=$value" >>"$SECRETS.part"
    done
    mv "$SECRETS.part" "$SECRETS"
  )
}

# random_token BYTES: URL-safe base64 of random bytes, usable in a URL's password without quoting.
random_token() {
  head -c "$1" /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '='
}

# load_secrets: the profile's secrets, and the names of the brokers' SCRAM users once up.sh has
# formatted them (KAFKA_USERS).
load_secrets() {
  ensure_secrets
  # shellcheck source=/dev/null
  source "$SECRETS"
  # shellcheck source=/dev/null
  if [ -s "$KAFKA_USERS" ]; then source "$KAFKA_USERS"; fi
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
kafka_broker_running() { pid_alive "${KAFKA_BROKER_DIR[$1]}/kafka.pid" "${KAFKA_BROKER_DIR[$1]}/server.properties"; }
# kafka_running: some broker of the profile runs.
kafka_running() {
  local n
  for n in "${!KAFKA_BROKER_DIR[@]}"; do kafka_broker_running "$n" && return 0; done
  return 1
}
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

# The database UIs: their ports, files and functions.
# shellcheck source=scripts/stack/ui.sh
source "$(dirname "${BASH_SOURCE[0]}")/ui.sh"
