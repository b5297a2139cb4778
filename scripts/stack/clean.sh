#!/usr/bin/env bash
# Stop one profile and delete all its data, logs and secrets.
source "$(dirname "$0")/profile.sh"

bash "$(dirname "$0")/down.sh"
# The brokers' tmpfs data folders (DOCPIPE_KAFKA_DATA_TMPFS_MB) outlive down.sh, not the profile.
for n in "${!KAFKA_BROKER_DIR[@]}"; do
  data=${KAFKA_BROKER_DIR[n]}/data
  mountpoint -q "$data" || continue
  log "${KAFKA_BROKER_NAME[n]}: unmounting the tmpfs on $data"
  umount "$data" || die "unmounting the tmpfs on $data failed (it takes root)"
done
rm -rf "${DIR:?}"
log "profile $PROFILE removed ($DIR)"
