#!/usr/bin/env bash
# Creates the Secrets the manifests reference by name (never committed), each only when it does
# not exist yet: Postgres and MongoDB keep the password they were initialised with, so a second
# `make up` must not rotate them. The Kafka users' Secrets come from Strimzi's user operator.
# The namespace must exist (scripts/k8s/namespace.sh, which `make secrets` runs first).
source "$(dirname "$0")/../lib.sh"
need kubectl "Install kubectl (make up needs it)."
ns=${DOCPIPE_NAMESPACE:-docpipe}
rand() { openssl rand -hex "$1"; }

ensure() { # ensure NAME --from-literal=...: create the Secret unless it exists
  local name=$1
  shift
  if kubectl -n "$ns" get secret "$name" >/dev/null 2>&1; then
    log "secret $ns/$name exists; kept"
    return 0
  fi
  kubectl -n "$ns" create secret generic "$name" "$@" --dry-run=client -o yaml | kubectl apply --server-side -f - >/dev/null
  log "secret $ns/$name created"
}

# Hex only: the values end up inside connection URIs, where hex needs no escaping.
# postgres: the superuser, for the server and `jobs migrate`; postgres-app: the password migrate
# gives the services' role (POSTGRES_APP_ROLE in packages/contract).
ensure postgres --from-literal=username=docpipe --from-literal=password="$(rand 24)"
ensure postgres-app --from-literal=password="$(rand 24)"
ensure mongodb-root --from-literal=username=root --from-literal=password="$(rand 24)"
ensure mongodb-app --from-literal=username=docpipe --from-literal=password="$(rand 24)"
# 756 bytes of base64: within MongoDB's 6-1024 character key file limit.
ensure mongodb-keyfile --from-literal=keyfile="$(openssl rand -base64 567 | tr -d '\n')"
# JWT_KEYS: kid:secret, secret of 32 random bytes (the contract's minimum) as 64 hex characters.
ensure ingest-jwt --from-literal=JWT_KEYS="k$(date +%Y%m%d):$(rand 32)"
