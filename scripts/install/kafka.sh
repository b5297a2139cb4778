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
  need mvn "Maven resolves Kafka's jars from Maven Central: apt-get install -y maven."
  log "resolving Kafka $KAFKA_VERSION and its runtime dependencies from Maven Central"
  build=$home/resolve
  rm -rf "$build" "$home/libs.part"
  mkdir -p "$build"
  # The broker's POM leaves logging to the distribution, which ships log4j2 behind the SLF4J 1.x
  # API Kafka compiles against (slf4j-api 1.7.36), hence log4j-slf4j-impl and not slf4j2-impl.
  # log4j-core also arrives through kafka-tools; naming it here keeps all three on one version.
  cat >"$build/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.docpipe</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_$SCALA_VERSION</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
POM
  # Progress is Maven's line per downloaded jar; the full log stays in the resolve folder for when
  # it fails.
  if ! mvn -B -f "$build/pom.xml" -Dmaven.repo.local="$CACHE/m2" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$home/libs.part" \
      2>&1 | tee "$build/mvn.log" | sed -un 's|^\[INFO\] Downloaded from [^:]*: .*/\([^/]*\.jar\) (\(.*\))$|  \1 (\2)|p'; then
    tail -n 30 "$build/mvn.log" >&2
    die "Maven could not resolve Kafka $KAFKA_VERSION (full log: $build/mvn.log)"
  fi
  rm -rf "$home/libs"
  mv "$home/libs.part" "$home/libs"
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
