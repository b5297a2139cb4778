#!/usr/bin/env bash
# The Strimzi Kafka Bridge (HTTP into Kafka) and its runtime dependencies, as jars from Maven
# Central. Only the benchmark uses it (bench/README.md): it is the peer of ingest. Prints the
# version it installed on stdout; fails with the reason when Maven Central cannot serve it.
source "$(dirname "$0")/../lib.sh"

BRIDGE_VERSION=${BENCH_BRIDGE_VERSION:-0.33.1}
home=$CACHE/kafka-bridge-$BRIDGE_VERSION
stamp="kafka-bridge:$BRIDGE_VERSION"
central=https://repo1.maven.org/maven2

# The bridge 0.33 is built for Java 17.
need_java
if [ "$(cat "$home/.installed" 2>/dev/null)" != "$stamp" ]; then
  # Ask for the POM first: a missing artifact then fails with one clear line instead of Maven's
  # page of resolution errors, and the benchmark reports that line as the reason.
  pom=$central/io/strimzi/kafka-bridge/$BRIDGE_VERSION/kafka-bridge-$BRIDGE_VERSION.pom
  code=$(curl -sS -o /dev/null -w '%{http_code}' "$pom") || code=unreachable
  [ "$code" = 200 ] || die "io.strimzi:kafka-bridge:$BRIDGE_VERSION is not available from Maven Central (HTTP $code for $pom)"

  log "resolving the Strimzi Kafka Bridge $BRIDGE_VERSION and its runtime dependencies from Maven Central"
  maven_jars bench-kafka-bridge "$home/libs" "
    <dependency><groupId>io.strimzi</groupId><artifactId>kafka-bridge</artifactId><version>$BRIDGE_VERSION</version></dependency>"
  printf '%s\n' "$stamp" >"$home/.installed"
  log "Kafka Bridge $BRIDGE_VERSION: $(find "$home/libs" -name '*.jar' | wc -l) jars in $home/libs"
fi
printf '%s\n' "$BRIDGE_VERSION"
