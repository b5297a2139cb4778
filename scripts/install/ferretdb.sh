#!/usr/bin/env bash
# FerretDB v1 (MongoDB wire protocol over SQLite or Postgres), built from the Go module proxy through
# the small wrapper in tools/ferretdb (its main.go says why a wrapper).
source "$(dirname "$0")/../lib.sh"

src=$ROOT/tools/ferretdb
bin=$CACHE/bin/ferretdb

# The pinned version must be the one tools/ferretdb/go.mod requires, or the binary would lie about it.
grep -q "github.com/FerretDB/FerretDB $FERRETDB_VERSION\$" "$src/go.mod" \
  || die "tools/ferretdb/go.mod does not require FerretDB $FERRETDB_VERSION (versions.env); run: cd tools/ferretdb && go get github.com/FerretDB/FerretDB@$FERRETDB_VERSION && go mod tidy"

# Rebuild when the binary is missing, was built from another FerretDB version, or is older than
# the wrapper's sources.
if [ -x "$bin" ] && command -v go >/dev/null \
    && go version -m "$bin" 2>/dev/null | grep -q "dep[[:space:]]*github.com/FerretDB/FerretDB[[:space:]]*$FERRETDB_VERSION" \
    && [ -z "$(find "$src" -newer "$bin" -type f)" ]; then
  exit 0
fi
need_go
log "building FerretDB $FERRETDB_VERSION into $bin (first time: downloads modules, then a few minutes of compiling)"
(cd "$src" && go build -trimpath -o "$bin.part" .) || die "building FerretDB failed"
mv "$bin.part" "$bin"
