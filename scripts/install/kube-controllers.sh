#!/usr/bin/env bash
# Builds kube-controller-manager and kube-scheduler of KUBERNETES_VERSION from the Go module proxy
# into $CACHE/bin, for the simulated cluster (scripts/apiserver/cluster-up.sh). They come from the
# same wrapper module as kube-apiserver (tools/kube-apiserver), so one pin serves all three, and
# the packages they share with it are compiled once. Built once: a later run with the same version
# returns at once.
source "$(dirname "$0")/../lib.sh"
need_go

# shellcheck source=scripts/install/kubernetes-build.sh
source "$(dirname "$0")/kubernetes-build.sh"
check_kubernetes_pin

binaries=(kube-controller-manager kube-scheduler)
stamp="$CACHE/bin/.kube-controllers-$KUBERNETES_VERSION"
if [ -f "$stamp" ] && [ -x "$CACHE/bin/kube-controller-manager" ] && [ -x "$CACHE/bin/kube-scheduler" ]; then
  exit 0
fi

ldflags=$(kubernetes_ldflags)

log "building ${binaries[*]} v$KUBERNETES_VERSION from the Go module proxy (first time: long; cached afterwards)"
start=$(date +%s)
cd "$KUBERNETES_MODULE_DIR"
# Go prints each package it compiles, which is the progress; its full output is kept for a failure.
for binary in "${binaries[@]}"; do
  if ! go build -v -trimpath -ldflags "$ldflags" -o "$CACHE/bin/$binary.part" "./$binary" 2>&1 | tee "$CACHE/bin/.$binary.build.log" \
    | awk -v b="$binary" '{n++; if (n % 50 == 0) printf "  %s: %d packages compiled (last: %s)\n", b, n, $0; fflush()}' >&2; then
    tail -n 20 "$CACHE/bin/.$binary.build.log" >&2
    die "building $binary failed; full output: $CACHE/bin/.$binary.build.log"
  fi
done
rm -f "$CACHE"/bin/.kube-controller-manager.build.log "$CACHE"/bin/.kube-scheduler.build.log
for binary in "${binaries[@]}"; do mv "$CACHE/bin/$binary.part" "$CACHE/bin/$binary"; done
rm -f "$CACHE"/bin/.kube-controllers-*
touch "$stamp"
log "built in $(( $(date +%s) - start ))s: $("$CACHE/bin/kube-controller-manager" --version), $("$CACHE/bin/kube-scheduler" --version)"
