#!/usr/bin/env bash
# Apache Kafka (broker, KRaft controller, kafka-tools) and the Prometheus JMX exporter agent, as jars
# from Maven Central: the only place besides the registries' packages that this project may fetch
# from, and the same artifacts the Apache distribution is built from.
source "$(dirname "$0")/../lib.sh"

home=$CACHE/kafka-$KAFKA_VERSION
agent=$CACHE/jmx_prometheus_javaagent-$JMX_EXPORTER_VERSION.jar
# The stamp names everything the libs folder was resolved from, so a changed pin resolves again.
stamp="kafka_$SCALA_VERSION:$KAFKA_VERSION kafka-tools:$KAFKA_VERSION log4j:$LOG4J_VERSION"
central=https://repo1.maven.org/maven2

need_java
# Kafka 4 needs Java 17 for the broker and the tools.
java_major=$(java -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
[ "${java_major%%.*}" -ge 17 ] 2>/dev/null \
  || die "Kafka $KAFKA_VERSION needs Java 17 or newer, found $java_major. apt-get install -y openjdk-17-jre-headless."

if [ "$(cat "$home/.installed" 2>/dev/null)" != "$stamp" ]; then
  log "resolving Kafka $KAFKA_VERSION and its runtime dependencies from Maven Central"
  # log4j-core also arrives through kafka-tools; naming it keeps all three on one version.
  maven_jars kafka-runtime "$home/libs" "
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_$SCALA_VERSION</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>$LOG4J_DEPENDENCIES"
  printf '%s\n' "$stamp" >"$home/.installed"
  log "Kafka $KAFKA_VERSION: $(find "$home/libs" -name '*.jar' | wc -l) jars in $home/libs"
fi

if [ ! -s "$agent" ]; then
  url=$central/io/prometheus/jmx/jmx_prometheus_javaagent/$JMX_EXPORTER_VERSION/jmx_prometheus_javaagent-$JMX_EXPORTER_VERSION.jar
  fetch "$url" "$agent.unverified"
  # Maven Central publishes a SHA-1 beside every artifact; a mismatch means a broken download.
  want=$(curl -fsS "$url.sha1" | awk '{print $1}') || die "cannot fetch $url.sha1"
  got=$(sha1sum "$agent.unverified" | awk '{print $1}')
  if [ "$want" != "$got" ]; then
    rm -f "$agent.unverified"
    die "checksum mismatch for $url"
  fi
  mv "$agent.unverified" "$agent"
fi
