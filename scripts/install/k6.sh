#!/usr/bin/env bash
# k6, the load generator of the benchmarks, built from the Go module proxy at the pinned version.
source "$(dirname "$0")/../lib.sh"

bin=$CACHE/bin/k6
if [ -x "$bin" ] && command -v go >/dev/null \
    && go version -m "$bin" 2>/dev/null | grep -q "mod[[:space:]]*go.k6.io/k6[[:space:]]*$K6_VERSION"; then
  exit 0
fi
need_go
log "building k6 $K6_VERSION into $bin (first time: downloads modules, then a few minutes of compiling)"
GOBIN=$CACHE/bin go install "go.k6.io/k6@$K6_VERSION" || die "go install go.k6.io/k6@$K6_VERSION failed"
