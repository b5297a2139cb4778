#!/usr/bin/env bash
# Postgres server binaries from Debian's packages. The stack runs its own cluster per profile
# (scripts/stack/up.sh), never the system service the package sets up.
source "$(dirname "$0")/../lib.sh"

if pg_bin >/dev/null; then exit 0; fi
# The package's postinst would create and start the system cluster on port 5432; that cluster is
# not ours, so keep it from starting.
apt_install_nostart postgresql
pg_bin >/dev/null || die "postgresql was installed but /usr/lib/postgresql/*/bin/initdb is missing"
log "Postgres $("$(pg_bin)/postgres" --version | awk '{print $3}') installed"
