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
  need mvn "Maven resolves the jars from Maven Central: apt-get install -y maven."
  build=$home/resolve
  rm -rf "$build" "$home/libs.part" "$plugin.part"
  mkdir -p "$build/worker" "$build/plugin"

  # resolve NAME POM_DEPENDENCIES DEST: copy the runtime closure of the dependencies into DEST,
  # showing one line per downloaded jar (as scripts/install/kafka.sh does).
  resolve() {
    local name=$1 deps=$2 dest=$3
    cat >"$build/$name/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.docpipe</groupId>
  <artifactId>bench-$name</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>$deps
  </dependencies>
</project>
POM
    if ! mvn -B -f "$build/$name/pom.xml" -Dmaven.repo.local="$CACHE/m2" \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dest" \
        2>&1 | tee "$build/$name/mvn.log" | sed -un 's|^\[INFO\] Downloaded from [^:]*: .*/\([^/]*\.jar\) (\(.*\))$|  \1 (\2)|p'; then
      tail -n 30 "$build/$name/mvn.log" >&2
      die "Maven could not resolve the $name jars (full log: $build/$name/mvn.log)"
    fi
  }

  log "resolving Kafka Connect $KAFKA_VERSION from Maven Central"
  # connect-json: the JsonConverter; connect-transforms: ReplaceField, which turns the envelope's
  # `id` into `_id`. Logging as the broker has it (see kafka.sh).
  resolve worker "
    <dependency><groupId>org.apache.kafka</groupId><artifactId>connect-runtime</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>connect-json</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>connect-transforms</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>" \
    "$home/libs.part"

  log "resolving the MongoDB Kafka connector $MONGO_CONNECTOR_VERSION from Maven Central"
  # The plugin folder holds the connector and its driver only: the worker's own Connect API must
  # win (plugin isolation loads org.apache.kafka.* from the worker), so the connector's older
  # connect-api is left out rather than shadowing it.
  resolve plugin "
    <dependency><groupId>org.mongodb.kafka</groupId><artifactId>mongo-kafka-connect</artifactId><version>$MONGO_CONNECTOR_VERSION</version>
      <exclusions><exclusion><groupId>org.apache.kafka</groupId><artifactId>*</artifactId></exclusion></exclusions></dependency>" \
    "$plugin.part"

  rm -rf "$home/libs" "$plugin"
  mv "$home/libs.part" "$home/libs"
  mv "$plugin.part" "$plugin"
  printf '%s\n' "$stamp" >"$home/.installed"
  log "Kafka Connect $KAFKA_VERSION: $(find "$home/libs" -name '*.jar' | wc -l) jars; connector: $(find "$plugin" -name '*.jar' | wc -l) jars"
fi
printf '%s\n' "$MONGO_CONNECTOR_VERSION"
