#!/usr/bin/env bash
# Creates the namespace, or brings its Pod Security labels up to date, from the synthesized
# manifests (DIST, default cdk8s/dist/$DOCPIPE_ENV). `make up` runs it before any Helm chart: the
# Strimzi chart puts RoleBindings into the namespace it watches, and Helm does not create that one.
# Server-side apply with the field manager of `make deploy`, so a second run changes nothing.
source "$(dirname "$0")/../lib.sh"
need kubectl "Install kubectl (make up needs it)."
dist=${1:-$ROOT/cdk8s/dist/${DOCPIPE_ENV:-kind}}
manifest="$dist/00-namespace.k8s.yaml"
[ -f "$manifest" ] || die "$manifest is missing: run make synth"
kubectl apply --server-side --field-manager=docpipe -f "$manifest" >/dev/null
log "namespace applied from $manifest"
