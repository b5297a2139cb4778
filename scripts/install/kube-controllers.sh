#!/usr/bin/env bash
# Builds kube-controller-manager and kube-scheduler of KUBERNETES_VERSION from the Go module proxy
# into $CACHE/bin, for the simulated cluster (scripts/apiserver/cluster-up.sh). They come from the
# same wrapper module as kube-apiserver (tools/kube-apiserver), so one pin serves all three, and
# the packages they share with it are compiled once. Built once: a later run with the same version
# returns at once.
source "$(dirname "$0")/../lib.sh"
need_go

dir="$ROOT/tools/kube-apiserver"
pinned=$(sed -n 's/^\(require \)\{0,1\}[[:space:]]*k8s\.io\/kubernetes \(v[^ ]*\).*/\2/p' "$dir/go.mod")
[ "$pinned" = "v$KUBERNETES_VERSION" ] \
  || die "tools/kube-apiserver/go.mod pins k8s.io/kubernetes $pinned but KUBERNETES_VERSION is $KUBERNETES_VERSION; update the require and every replace to the same release, then run 'go mod tidy' there."

binaries=(kube-controller-manager kube-scheduler)
stamp="$CACHE/bin/.kube-controllers-$KUBERNETES_VERSION"
if [ -f "$stamp" ] && [ -x "$CACHE/bin/kube-controller-manager" ] && [ -x "$CACHE/bin/kube-scheduler" ]; then
  exit 0
fi

# The version fields kube-apiserver.sh sets: without them each binary reports v0.0.0-master.
pkg=k8s.io/component-base/version
minor=$(cut -d. -f2 <<<"$KUBERNETES_VERSION")
ldflags="-s -w -X $pkg.gitVersion=v$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
ldflags="$ldflags -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=v$KUBERNETES_VERSION"

log "building ${binaries[*]} v$KUBERNETES_VERSION from the Go module proxy (first time: long; cached afterwards)"
start=$(date +%s)
cd "$dir"
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
