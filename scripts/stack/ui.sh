# shellcheck shell=bash disable=SC2034 # the variables set here are read by the scripts sourcing it
# The database UIs of one profile, the ones the system Docpipe replaces shipped: mongo-express on
# the documents (FerretDB) and Adminer on the users database (Postgres), on 127.0.0.1 only.
# DOCPIPE_DATABASE_UIS=0 leaves them out. Sourced by profile.sh; each function is called by the
# script whose helpers it uses (up.sh's launch and port_free, down.sh's stop, status.sh's row,
# env.sh's emit).

DATABASE_UIS=${SETTING[DOCPIPE_DATABASE_UIS]}
[[ $DATABASE_UIS =~ ^[01]$ ]] || die "DOCPIPE_DATABASE_UIS='$DATABASE_UIS': use 1 (on) or 0 (off)"
MONGO_EXPRESS_PORT=${DOCPIPE_MONGO_EXPRESS_PORT:-$((18081 + OFFSET))}
ADMINER_PORT=${DOCPIPE_ADMINER_PORT:-$((18082 + OFFSET))}

MONGO_EXPRESS_APP=$CACHE/mongo-express/node_modules/mongo-express/app.js
MONGO_EXPRESS_DIR=$DIR/mongo-express
# Its password and the keys of its cookies are the profile's secrets (profile.sh's ensure_secrets).
MONGO_EXPRESS_USER=docpipe
# The database the services use (env.sh's MONGODB_DATABASE): the only one it shows, as in the
# cluster, where its user may read no other.
MONGO_EXPRESS_DATABASE=docpipe
# Debian's own entry point to its package: the compiled Adminer with the plugin that keeps it from
# asking adminer.org for a newer version.
ADMINER_ENTRY=/etc/adminer/conf.php
ADMINER_DIR=$DIR/adminer

# The marker of mongo-express is its port, which only one profile can hold at a time; Adminer's is
# its temporary folder.
mongo_express_running() { pid_alive "$MONGO_EXPRESS_DIR/mongo-express.pid" "app.js --port $MONGO_EXPRESS_PORT"; }
adminer_running() { pid_alive "$ADMINER_DIR/adminer.pid" "$ADMINER_DIR/tmp"; }

# A login is asked for although FerretDB itself takes any local client: a web page the browser
# opens could otherwise use the UI through a DNS name rebound to 127.0.0.1.
start_mongo_express() {
  [ -f "$MONGO_EXPRESS_APP" ] || die "mongo-express is not installed: run scripts/install/mongo-express.sh"
  if mongo_express_running; then log "mongo-express already running on 127.0.0.1:$MONGO_EXPRESS_PORT"; return; fi
  port_free "$MONGO_EXPRESS_PORT" mongo-express
  mkdir -p "$MONGO_EXPRESS_DIR"
  log "mongo-express: starting on 127.0.0.1:$MONGO_EXPRESS_PORT (database $MONGO_EXPRESS_DATABASE of FerretDB)"
  (
    export ME_CONFIG_MONGODB_URL=mongodb://127.0.0.1:$FERRETDB_PORT/$MONGO_EXPRESS_DATABASE \
      ME_CONFIG_MONGODB_ENABLE_ADMIN=false \
      ME_CONFIG_BASICAUTH_USERNAME=$MONGO_EXPRESS_USER ME_CONFIG_BASICAUTH_PASSWORD=$MONGO_EXPRESS_PASSWORD \
      ME_CONFIG_SITE_COOKIESECRET=$MONGO_EXPRESS_COOKIE_SECRET ME_CONFIG_SITE_SESSIONSECRET=$MONGO_EXPRESS_SESSION_SECRET \
      VCAP_APP_HOST=127.0.0.1 NODE_ENV=production
    launch "$MONGO_EXPRESS_DIR/mongo-express.pid" "$MONGO_EXPRESS_DIR/mongo-express.log" \
      node "$MONGO_EXPRESS_APP" --port "$MONGO_EXPRESS_PORT"
  )
}

# PHP's built-in server runs Adminer for every path. The logins' sessions and Adminer's count of
# failed logins stay in the profile, not in Debian's folder for every PHP program; PHP expires the
# sessions itself, which Debian leaves to a timer that knows its own folder alone.
start_adminer() {
  if [ ! -f "$ADMINER_ENTRY" ] || ! command -v php >/dev/null; then die "Adminer is not installed: run scripts/install/adminer.sh"; fi
  if adminer_running; then log "adminer already running on 127.0.0.1:$ADMINER_PORT"; return; fi
  port_free "$ADMINER_PORT" adminer
  mkdir -p "$ADMINER_DIR/tmp"
  chmod 700 "$ADMINER_DIR/tmp"
  log "adminer: starting on 127.0.0.1:$ADMINER_PORT (Postgres 127.0.0.1:$POSTGRES_PORT)"
  launch "$ADMINER_DIR/adminer.pid" "$ADMINER_DIR/adminer.log" \
    php -d "sys_temp_dir=$ADMINER_DIR/tmp" -d "session.save_path=$ADMINER_DIR/tmp" -d session.gc_probability=1 \
    -S "127.0.0.1:$ADMINER_PORT" -t /usr/share/adminer "$ADMINER_ENTRY"
}

# start_database_uis: from up.sh, once FerretDB and Postgres accept clients.
start_database_uis() {
  [ "$DATABASE_UIS" -eq 1 ] || return 0
  start_mongo_express
  start_adminer
  wait_for mongo-express 30 "$MONGO_EXPRESS_DIR/mongo-express.log" mongo_express_running port_open "$MONGO_EXPRESS_PORT"
  wait_for adminer 30 "$ADMINER_DIR/adminer.log" adminer_running port_open "$ADMINER_PORT"
}

# stop_database_uis: from down.sh, before the servers they show.
stop_database_uis() {
  stop mongo-express "$MONGO_EXPRESS_DIR/mongo-express.pid" mongo_express_running 10
  stop adminer "$ADMINER_DIR/adminer.pid" adminer_running 10
}

# database_uis_status: status.sh's rows.
database_uis_status() {
  if [ "$DATABASE_UIS" -eq 0 ]; then echo "  database UIs off (DOCPIPE_DATABASE_UIS=0)"; return; fi
  row mongo-express mongo_express_running "$MONGO_EXPRESS_PORT" "$MONGO_EXPRESS_DIR/mongo-express.log"
  row adminer adminer_running "$ADMINER_PORT" "$ADMINER_DIR/adminer.log"
}

# database_uis_env: env.sh's lines, the login of mongo-express among them.
database_uis_env() {
  emit DOCPIPE_DATABASE_UIS "$DATABASE_UIS"
  emit DOCPIPE_MONGO_EXPRESS_PORT "$MONGO_EXPRESS_PORT"
  emit DOCPIPE_ADMINER_PORT "$ADMINER_PORT"
  [ "$DATABASE_UIS" -eq 1 ] || return 0
  emit DOCPIPE_MONGO_EXPRESS_USERNAME "$MONGO_EXPRESS_USER"
  emit DOCPIPE_MONGO_EXPRESS_PASSWORD "$MONGO_EXPRESS_PASSWORD"
}

# database_uis_urls: where to open them, for scripts/local.sh's list; no password is printed.
database_uis_urls() {
  if [ "$DATABASE_UIS" -eq 0 ]; then echo "  database UIs   off (DOCPIPE_DATABASE_UIS=0)"; return; fi
  echo "  mongo-express  http://127.0.0.1:$MONGO_EXPRESS_PORT/db/$MONGO_EXPRESS_DATABASE/   login $MONGO_EXPRESS_USER, password \$DOCPIPE_MONGO_EXPRESS_PASSWORD (env.sh)"
  echo "  Adminer        http://127.0.0.1:$ADMINER_PORT/?pgsql=127.0.0.1:$POSTGRES_PORT&username=docpipe&db=docpipe   password: DATABASE_URL's (env.sh)"
}
