# shellcheck shell=bash
# What the builds of Kubernetes' own binaries share (kube-apiserver.sh, kube-controllers.sh),
# sourced after scripts/lib.sh: the wrapper module, whose pin must be KUBERNETES_VERSION, and the
# version fields every binary is linked with.
KUBERNETES_MODULE_DIR="$ROOT/tools/kube-apiserver"

check_kubernetes_pin() {
  local pinned
  pinned=$(sed -n 's/^\(require \)\{0,1\}[[:space:]]*k8s\.io\/kubernetes \(v[^ ]*\).*/\2/p' "$KUBERNETES_MODULE_DIR/go.mod")
  [ "$pinned" = "v$KUBERNETES_VERSION" ] \
    || die "tools/kube-apiserver/go.mod pins k8s.io/kubernetes $pinned but KUBERNETES_VERSION is $KUBERNETES_VERSION; update the require and every replace to the same release, then run 'go mod tidy' there."
}

# Without these fields the binaries report v0.0.0-master, and kubectl warns about version skew;
# client-go keeps a copy of its own, which kubectl reports as its client version.
kubernetes_ldflags() {
  local pkg=k8s.io/component-base/version minor
  minor=$(cut -d. -f2 <<<"$KUBERNETES_VERSION")
  printf '%s' "-s -w -X $pkg.gitVersion=v$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor" \
    " -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z" \
    " -X k8s.io/client-go/pkg/version.gitVersion=v$KUBERNETES_VERSION"
}
