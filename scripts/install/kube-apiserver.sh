#!/usr/bin/env bash
# Builds kube-apiserver and a matching kubectl of KUBERNETES_VERSION from the Go module proxy
# (tools/kube-apiserver is the wrapper module) into $CACHE/bin. Built once: a later run with the
# same version returns at once. The first build takes long (see cdk8s/README.md) and Go prints
# each package it compiles, which is the progress.
source "$(dirname "$0")/../lib.sh"
need_go

# shellcheck source=scripts/install/kubernetes-build.sh
source "$(dirname "$0")/kubernetes-build.sh"
check_kubernetes_pin

stamp="$CACHE/bin/.kube-apiserver-$KUBERNETES_VERSION"
if [ -f "$stamp" ] && [ -x "$CACHE/bin/kube-apiserver" ] && [ -x "$CACHE/bin/kubectl" ]; then
  exit 0
fi

ldflags=$(kubernetes_ldflags)

log "building kube-apiserver and kubectl v$KUBERNETES_VERSION from the Go module proxy (first time: long; cached afterwards)"
start=$(date +%s)
cd "$KUBERNETES_MODULE_DIR"
go build -v -trimpath -ldflags "$ldflags" -o "$CACHE/bin/kube-apiserver.part" . 2>&1 \
  | awk '{n++; if (n % 50 == 0) printf "  %d packages compiled (last: %s)\n", n, $0; fflush()}' >&2
go build -trimpath -ldflags "$ldflags" -o "$CACHE/bin/kubectl.part" ./kubectl
mv "$CACHE/bin/kube-apiserver.part" "$CACHE/bin/kube-apiserver"
mv "$CACHE/bin/kubectl.part" "$CACHE/bin/kubectl"
rm -f "$CACHE"/bin/.kube-apiserver-*
touch "$stamp"
log "built in $(( $(date +%s) - start ))s: $("$CACHE/bin/kube-apiserver" --version)"
