#!/usr/bin/env bash
# Print one line per Kafka broker of a profile, `n pid port`: its number (from 1), the pid of its
# JVM or - when it does not run, and its client port. For fault runs, which kill or pause a broker
# by pid and bring a killed one back with scripts/stack/up.sh:
#   DOCPIPE_PROFILE=mine scripts/stack/kafka-pids.sh
source "$(dirname "$0")/profile.sh"

for n in "${!KAFKA_BROKER_DIR[@]}"; do
  pid=-
  if kafka_broker_running "$n"; then read -r pid <"${KAFKA_BROKER_DIR[n]}/kafka.pid"; fi
  echo "$n $pid ${KAFKA_BROKER_PORT[n]}"
done
