#!/usr/bin/env bash
# Starts a simulated cluster: up.sh's etcd + kube-apiserver, and beside them kube-controller-manager
# and kube-scheduler of the same pinned version and kwok, which plays the fake nodes of
# config/kwok/cluster.yaml and every pod bound to them (config/kwok/stages.yaml) without a
# kubelet. Deployments and StatefulSets get ready pods, Services endpoints, Jobs complete, claims a
# volume; no container runs and no image is pulled. Free loopback ports; state, logs and pid files
# in DOCPIPE_APISERVER_DIR (default .local/cluster). Prints the kubeconfig's path. Idempotent: a
# running part is reused, one that died is started again. cluster-down.sh stops it all.
source "$(dirname "$0")/../lib.sh"
export DOCPIPE_APISERVER_DIR=${DOCPIPE_APISERVER_DIR:-$LOCAL/cluster}
dir=$DOCPIPE_APISERVER_DIR
bash "$ROOT/scripts/install/kube-controllers.sh"
bash "$ROOT/scripts/install/kwok.sh"
# Debian's etcd is too old for the watch-list streams of WatchList (RequestWatchProgress), yet with
# the gate on, the server takes every watch from resourceVersion 0 (how kwok watches) for one and
# ends it at once: kwok would see each change only at its next re-list.
kubeconfig=$(DOCPIPE_APISERVER_FEATURE_GATES=WatchList=false bash "$ROOT/scripts/apiserver/up.sh" | tail -n 1)
[ -f "$kubeconfig" ] || die "scripts/apiserver/up.sh printed no kubeconfig"
pki="$dir/pki"

alive() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# start NAME ARGS...: runs NAME in the background with its log and pid file, unless it runs already.
start() {
  local name=$1
  shift
  alive "$name" && return 0
  log "starting $name"
  "$name" "$@" >"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
}

# healthy NAME PORT: waits for the /healthz of a component that serves one on PORT.
healthy() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do
    curl -fsk "https://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    alive "$name" || { tail -20 "$dir/$name.log" >&2; die "$name exited; log: $dir/$name.log"; }
    sleep 1
  done
  tail -20 "$dir/$name.log" >&2
  die "$name was not healthy after 60 s; log: $dir/$name.log"
}

# One instance of each, so no leader election. The cloud controllers have no cloud to talk to, and
# node-ipam would hand out pod CIDRs that kwok does not use (it assigns pod IPs from --cidr).
# Every controller acts with the admin token: their own RBAC is bootstrap policy, not ours.
controller_manager_port=$(cat "$dir/kube-controller-manager.port" 2>/dev/null || true)
if ! alive kube-controller-manager; then
  controller_manager_port=$(free_port)
  echo "$controller_manager_port" >"$dir/kube-controller-manager.port"
fi
start kube-controller-manager \
  --kubeconfig "$kubeconfig" --leader-elect=false \
  --bind-address 127.0.0.1 --secure-port "$controller_manager_port" --cert-dir "$dir/kube-controller-manager" \
  --controllers '*,-service-lb-controller,-cloud-node-lifecycle-controller,-node-route-controller,-node-ipam-controller' \
  --use-service-account-credentials=false \
  --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
  --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key"

scheduler_port=$(cat "$dir/kube-scheduler.port" 2>/dev/null || true)
if ! alive kube-scheduler; then
  scheduler_port=$(free_port)
  echo "$scheduler_port" >"$dir/kube-scheduler.port"
fi
start kube-scheduler \
  --kubeconfig "$kubeconfig" --leader-elect=false \
  --bind-address 127.0.0.1 --secure-port "$scheduler_port" --cert-dir "$dir/kube-scheduler"

# Only the nodes carrying its annotation: a node of anything else (none today) stays its own.
# Without a lease duration kwok renews no node Lease, and the node-lifecycle controller then takes
# the nodes for dead and evicts their pods. kwok serves no endpoint here (no --server-address):
# logs and exec would need a real kubelet anyway.
start kwok \
  --kubeconfig "$kubeconfig" --config "$ROOT/config/kwok/stages.yaml" \
  --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
  --node-lease-duration-seconds 40 --cidr 10.244.0.0/16

healthy kube-controller-manager "$controller_manager_port"
healthy kube-scheduler "$scheduler_port"
# Created with their status (addresses, capacity), as a kubelet registers its node.
KUBECONFIG=$kubeconfig kubectl apply --server-side -f "$ROOT/config/kwok/cluster.yaml" >/dev/null \
  || die "could not create the fake nodes of config/kwok/cluster.yaml"
for _ in $(seq 1 60); do
  if KUBECONFIG=$kubeconfig kubectl wait --for=condition=Ready node --all --timeout=1s >/dev/null 2>&1; then
    log "simulated cluster is ready: $(KUBECONFIG=$kubeconfig kubectl get nodes -o name | tr '\n' ' ')($kubeconfig)"
    echo "$kubeconfig"
    exit 0
  fi
  alive kwok || { tail -20 "$dir/kwok.log" >&2; die "kwok exited; log: $dir/kwok.log"; }
  sleep 1
done
tail -20 "$dir/kwok.log" >&2
die "the fake nodes were not Ready after 60 s; log: $dir/kwok.log"
