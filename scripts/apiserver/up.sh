#!/usr/bin/env bash
# Starts a throwaway etcd + kube-apiserver (the pinned KUBERNETES_VERSION) on free loopback ports,
# for checking manifests against the real API: schemas, defaulting, admission (Pod Security
# included). No controllers or nodes run (cluster-up.sh adds them), so nothing is scheduled. Writes
# .local/apiserver/kubeconfig and prints its path. Idempotent: a running server is reused.
# DOCPIPE_APISERVER_DIR puts its state elsewhere, so that two test files can each run their own;
# DOCPIPE_APISERVER_FEATURE_GATES is passed as --feature-gates (cluster-up.sh needs one).
source "$(dirname "$0")/../lib.sh"
apt_install etcd-server openssl curl
bash "$ROOT/scripts/install/kube-apiserver.sh"

dir=${DOCPIPE_APISERVER_DIR:-$LOCAL/apiserver}
kubeconfig="$dir/kubeconfig"
alive() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }
if alive etcd && alive kube-apiserver && [ -f "$kubeconfig" ]; then
  echo "$kubeconfig"
  exit 0
fi
bash "$ROOT/scripts/apiserver/down.sh" >/dev/null 2>&1 || true
mkdir -p "$dir/pki"

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
etcd_port=$(free_port)
peer_port=$(free_port)
api_port=$(free_port)

log "generating a CA, a serving certificate, the service-account key and an admin token"
pki="$dir/pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=docpipe-test-ca" \
  -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$pki/server.key" -out "$pki/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$pki/san.ext"
openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 2 \
  -extfile "$pki/san.ext" -out "$pki/server.crt" 2>/dev/null
openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
token=$(openssl rand -hex 24)
# system:masters: the check applies every kind of object, cluster-scoped ones included.
printf '%s,admin,admin,system:masters\n' "$token" >"$pki/tokens.csv"

log "starting etcd on 127.0.0.1:$etcd_port"
etcd --name docpipe-test --data-dir "$dir/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
  --initial-cluster "docpipe-test=http://127.0.0.1:$peer_port" >"$dir/etcd.log" 2>&1 &
echo $! >"$dir/etcd.pid"

log "starting kube-apiserver v$KUBERNETES_VERSION on https://127.0.0.1:$api_port"
kube-apiserver \
  --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address 127.0.0.1 --secure-port "$api_port" \
  --tls-cert-file "$pki/server.crt" --tls-private-key-file "$pki/server.key" \
  --client-ca-file "$pki/ca.crt" --token-auth-file "$pki/tokens.csv" \
  --authorization-mode RBAC \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
  --service-cluster-ip-range 10.96.0.0/16 \
  --endpoint-reconciler-type none \
  --cert-dir "$pki" ${DOCPIPE_APISERVER_FEATURE_GATES:+--feature-gates "$DOCPIPE_APISERVER_FEATURE_GATES"} \
  >"$dir/kube-apiserver.log" 2>&1 &
echo $! >"$dir/kube-apiserver.pid"

cat >"$kubeconfig" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: docpipe-test
    cluster:
      server: https://127.0.0.1:$api_port
      certificate-authority-data: $(base64 -w0 <"$pki/ca.crt")
users:
  - name: admin
    user:
      token: $token
contexts:
  - name: docpipe-test
    context: { cluster: docpipe-test, user: admin }
current-context: docpipe-test
KUBECONFIG

for _ in $(seq 1 120); do
  if curl -fsS --cacert "$pki/ca.crt" -H "Authorization: Bearer $token" "https://127.0.0.1:$api_port/readyz" >/dev/null 2>&1; then
    log "kube-apiserver is ready ($kubeconfig)"
    echo "$kubeconfig"
    exit 0
  fi
  alive kube-apiserver || { tail -20 "$dir/kube-apiserver.log" >&2; die "kube-apiserver exited; log: $dir/kube-apiserver.log"; }
  alive etcd || { tail -20 "$dir/etcd.log" >&2; die "etcd exited; log: $dir/etcd.log"; }
  sleep 1
done
tail -20 "$dir/kube-apiserver.log" >&2
die "kube-apiserver was not ready after 120 s; log: $dir/kube-apiserver.log"
