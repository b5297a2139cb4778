#!/usr/bin/env bash
# Kafka Connect (standalone worker) at the broker's version, and the MongoDB Kafka sink connector as
# its plugin, as jars from Maven Central. Only the benchmark uses them (bench/README.md): it is the
# peer of the consumer. Prints the connector version it installed on stdout.
source "$(dirname "$0")/../lib.sh"

# The newest 1.x that Maven Central serves; 2.x needs a newer driver than FerretDB v1 was checked with.
MONGO_CONNECTOR_VERSION=${BENCH_MONGO_CONNECTOR_VERSION:-1.13.0}
home=$CACHE/kafka-connect-$KAFKA_VERSION
plugin=$home/plugins/mongo-kafka-connect
stamp="connect-runtime:$KAFKA_VERSION mongo-kafka-connect:$MONGO_CONNECTOR_VERSION log4j:$LOG4J_VERSION"

need_java
if [ "$(cat "$home/.installed" 2>/dev/null)" != "$stamp" ]; then
  log "resolving Kafka Connect $KAFKA_VERSION from Maven Central"
  # connect-json: the JsonConverter; connect-transforms: ReplaceField, which turns the envelope's
  # `id` into `_id`. Logging as the broker has it (see kafka.sh).
  maven_jars bench-worker "$home/libs" "
    <dependency><groupId>org.apache.kafka</groupId><artifactId>connect-runtime</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>connect-json</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>connect-transforms</artifactId><version>$KAFKA_VERSION</version></dependency>
$LOG4J_DEPENDENCIES"

  log "resolving the MongoDB Kafka connector $MONGO_CONNECTOR_VERSION from Maven Central"
  # The plugin folder holds the connector and its driver only: the worker's own Connect API must
  # win (plugin isolation loads org.apache.kafka.* from the worker), so the connector's older
  # connect-api is left out rather than shadowing it.
  maven_jars bench-plugin "$plugin" "
    <dependency><groupId>org.mongodb.kafka</groupId><artifactId>mongo-kafka-connect</artifactId><version>$MONGO_CONNECTOR_VERSION</version>
      <exclusions><exclusion><groupId>org.apache.kafka</groupId><artifactId>*</artifactId></exclusion></exclusions></dependency>"

  printf '%s\n' "$stamp" >"$home/.installed"
  log "Kafka Connect $KAFKA_VERSION: $(find "$home/libs" -name '*.jar' | wc -l) jars; connector: $(find "$plugin" -name '*.jar' | wc -l) jars"
fi
printf '%s\n' "$MONGO_CONNECTOR_VERSION"
