#!/usr/bin/env bash
# Stops the etcd + kube-apiserver that up.sh started, and the controllers and kwok that
# cluster-up.sh adds to them, by their pid files (controllers first, while their server still
# answers), and deletes their state; DOCPIPE_APISERVER_DIR names the same folder as it did for up.sh.
source "$(dirname "$0")/../lib.sh"
dir=${DOCPIPE_APISERVER_DIR:-$LOCAL/apiserver}
for name in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
  pidfile="$dir/$name.pid"
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
done
rm -rf "$dir"
