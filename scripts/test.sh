#!/usr/bin/env bash
# `make test`: every test against real servers. Installs what is missing (idempotent), starts the
# `test` profile of the local stack (ports +100, so it runs beside `make local`), migrates, runs
# vitest with any arguments given, and stops the servers it started.
export DOCPIPE_PROFILE=${DOCPIPE_PROFILE:-test}
export DOCPIPE_PORT_OFFSET=${DOCPIPE_PORT_OFFSET:-100}
source "$(dirname "$0")/stack/profile.sh"
export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=TimeoutNegativeWarning"
export KAFKAJS_NO_PARTITIONER_WARNING=1

bash "$ROOT/scripts/install/all.sh"
# The Kubernetes checks need a kube-apiserver built from source (about 13 minutes the first time),
# the controller-manager, scheduler and kwok of the simulated cluster, and kube-score; building
# them here keeps that out of any test's timeout.
bash "$ROOT/scripts/install/kube-apiserver.sh"
bash "$ROOT/scripts/install/kube-controllers.sh"
bash "$ROOT/scripts/install/kwok.sh"
bash "$ROOT/scripts/install/kube-score.sh"

started_stack=false
if ! { postgres_running && kafka_running && ferretdb_running && prometheus_running && lag_exporter_running; }; then started_stack=true; fi
cleanup() { if $started_stack; then bash "$ROOT/scripts/stack/down.sh"; fi; }
trap cleanup EXIT
bash "$ROOT/scripts/stack/up.sh"
eval "$(bash "$ROOT/scripts/stack/env.sh")"
node "$ROOT/services/jobs/dist/main.js" migrate

cd "$ROOT"
report="$DIR/vitest-report.json"
rm -f "$report"
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
cleanup
trap - EXIT
node "$ROOT/scripts/test-summary.mjs" "$report" || true
exit "$status"
