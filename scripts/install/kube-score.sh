#!/usr/bin/env bash
# kube-score, the static manifest linter `make k8s-check` runs on cdk8s/dist. It stands in for
# kube-linter, which the Go module proxy reachable here does not serve (golang.stackrox.io and
# github.com/stackrox/kube-linter are refused). Built once into $CACHE/bin.
source "$(dirname "$0")/../lib.sh"
need_go
stamp="$CACHE/bin/.kube-score-$KUBE_SCORE_VERSION"
[ -f "$stamp" ] && [ -x "$CACHE/bin/kube-score" ] && exit 0
log "go install github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"
GOBIN="$CACHE/bin" GOFLAGS=-mod=mod go install "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"
rm -f "$CACHE"/bin/.kube-score-*
touch "$stamp"
