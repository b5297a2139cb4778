#!/usr/bin/env bash
# Downloads the pinned upstream CRDs the charts are generated and validated against into
# $CACHE/crds, for machines without ../shared/crds. Prints the folder (use it as DOCPIPE_CRDS_DIR).
source "$(dirname "$0")/../lib.sh"
need curl "Install curl."
dest="$CACHE/crds"
gh=https://raw.githubusercontent.com
# A build machine without GitHub can still be given the same files.
offline="without GitHub, set DOCPIPE_CRDS_DIR to a folder that holds them (strimzi-$STRIMZI_VERSION/, prometheus-operator-$PROMETHEUS_OPERATOR_VERSION/, keda-v$KEDA_VERSION/), such as a ../shared/crds"

strimzi="$dest/strimzi-$STRIMZI_VERSION"
for f in 040-Crd-kafka 041-Crd-kafkaconnect 042-Crd-strimzipodset 043-Crd-kafkatopic 044-Crd-kafkauser \
  045-Crd-kafkanodepool 046-Crd-kafkabridge 047-Crd-kafkaconnector 048-Crd-kafkamirrormaker2 049-Crd-kafkarebalance; do
  fetch "$gh/strimzi/strimzi-kafka-operator/$STRIMZI_VERSION/install/cluster-operator/$f.yaml" "$strimzi/$f.yaml" "$offline"
done

prom="$dest/prometheus-operator-$PROMETHEUS_OPERATOR_VERSION"
for kind in podmonitors prometheusrules servicemonitors; do
  fetch "$gh/prometheus-operator/prometheus-operator/$PROMETHEUS_OPERATOR_VERSION/example/prometheus-operator-crd/monitoring.coreos.com_$kind.yaml" \
    "$prom/monitoring.coreos.com_$kind.yaml" "$offline"
done

keda="$dest/keda-v$KEDA_VERSION"
for kind in scaledobjects triggerauthentications; do
  fetch "$gh/kedacore/keda/v$KEDA_VERSION/config/crd/bases/keda.sh_$kind.yaml" "$keda/keda.sh_$kind.yaml" "$offline"
done
echo "$dest"
