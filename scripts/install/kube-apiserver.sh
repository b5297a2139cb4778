#!/usr/bin/env bash
# Builds kube-apiserver and a matching kubectl of KUBERNETES_VERSION from the Go module proxy
# (tools/kube-apiserver is the wrapper module) into $CACHE/bin. Built once: a later run with the
# same version returns at once. The first build takes long (see cdk8s/README.md) and Go prints
# each package it compiles, which is the progress.
source "$(dirname "$0")/../lib.sh"
need_go

dir="$ROOT/tools/kube-apiserver"
pinned=$(sed -n 's/^\(require \)\{0,1\}[[:space:]]*k8s\.io\/kubernetes \(v[^ ]*\).*/\2/p' "$dir/go.mod")
[ "$pinned" = "v$KUBERNETES_VERSION" ] \
  || die "tools/kube-apiserver/go.mod pins k8s.io/kubernetes $pinned but KUBERNETES_VERSION is $KUBERNETES_VERSION; update the require and every replace to the same release, then run 'go mod tidy' there."

stamp="$CACHE/bin/.kube-apiserver-$KUBERNETES_VERSION"
if [ -f "$stamp" ] && [ -x "$CACHE/bin/kube-apiserver" ] && [ -x "$CACHE/bin/kubectl" ]; then
  exit 0
fi

# Without these the binaries report v0.0.0-master, and kubectl warns about version skew.
pkg=k8s.io/component-base/version
minor=$(cut -d. -f2 <<<"$KUBERNETES_VERSION")
ldflags="-s -w -X $pkg.gitVersion=v$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
ldflags="$ldflags -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
# The same fields for client-go's copy, which kubectl reports as its client version.
ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=v$KUBERNETES_VERSION"

log "building kube-apiserver and kubectl v$KUBERNETES_VERSION from the Go module proxy (first time: long; cached afterwards)"
start=$(date +%s)
cd "$dir"
go build -v -trimpath -ldflags "$ldflags" -o "$CACHE/bin/kube-apiserver.part" . 2>&1 \
  | awk '{n++; if (n % 50 == 0) printf "  %d packages compiled (last: %s)\n", n, $0; fflush()}' >&2
go build -trimpath -ldflags "$ldflags" -o "$CACHE/bin/kubectl.part" ./kubectl
mv "$CACHE/bin/kube-apiserver.part" "$CACHE/bin/kube-apiserver"
mv "$CACHE/bin/kubectl.part" "$CACHE/bin/kubectl"
rm -f "$CACHE"/bin/.kube-apiserver-*
touch "$stamp"
log "built in $(( $(date +%s) - start ))s: $("$CACHE/bin/kube-apiserver" --version)"
