#!/usr/bin/env bash
# Builds kwok (sigs.k8s.io/kwok, KWOK_VERSION) from the Go module proxy into $CACHE/bin: the
# simulated cluster's fake kubelet, which plays nodes and pods through the stages in config/kwok.
# Built once: a later run with the same version returns at once.
source "$(dirname "$0")/../lib.sh"
need_go

stamp="$CACHE/bin/.kwok-$KWOK_VERSION"
if [ -f "$stamp" ] && [ -x "$CACHE/bin/kwok" ]; then
  exit 0
fi

log "building kwok $KWOK_VERSION from the Go module proxy (first time: a few minutes; cached afterwards)"
start=$(date +%s)
gobin=$(mktemp -d)
trap 'rm -rf "$gobin"' EXIT
# Outside any module, so that no go.mod of this repository takes part in resolving kwok's.
if ! (cd "$gobin" && GOBIN="$gobin" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"); then
  die "building kwok $KWOK_VERSION failed (it needs the Go version its go.mod names; with GOTOOLCHAIN=local an older Go cannot fetch it)"
fi
mv "$gobin/kwok" "$CACHE/bin/kwok"
rm -f "$CACHE"/bin/.kwok-*
touch "$stamp"
log "built in $(( $(date +%s) - start ))s: $("$CACHE/bin/kwok" --version)"
