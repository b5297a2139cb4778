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
  need mvn "Maven resolves the bridge's jars from Maven Central: apt-get install -y maven."
  # Ask for the POM first: a missing artifact then fails with one clear line instead of Maven's
  # page of resolution errors, and the benchmark reports that line as the reason.
  pom=$central/io/strimzi/kafka-bridge/$BRIDGE_VERSION/kafka-bridge-$BRIDGE_VERSION.pom
  code=$(curl -sS -o /dev/null -w '%{http_code}' "$pom") || code=unreachable
  [ "$code" = 200 ] || die "io.strimzi:kafka-bridge:$BRIDGE_VERSION is not available from Maven Central (HTTP $code for $pom)"

  log "resolving the Strimzi Kafka Bridge $BRIDGE_VERSION and its runtime dependencies from Maven Central"
  build=$home/resolve
  rm -rf "$build" "$home/libs.part"
  mkdir -p "$build"
  cat >"$build/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.docpipe</groupId>
  <artifactId>bench-kafka-bridge</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>io.strimzi</groupId><artifactId>kafka-bridge</artifactId><version>$BRIDGE_VERSION</version></dependency>
  </dependencies>
</project>
POM
  if ! mvn -B -f "$build/pom.xml" -Dmaven.repo.local="$CACHE/m2" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$home/libs.part" \
      2>&1 | tee "$build/mvn.log" | sed -un 's|^\[INFO\] Downloaded from [^:]*: .*/\([^/]*\.jar\) (\(.*\))$|  \1 (\2)|p'; then
    tail -n 30 "$build/mvn.log" >&2
    die "Maven could not resolve the Kafka Bridge $BRIDGE_VERSION (full log: $build/mvn.log)"
  fi
  rm -rf "$home/libs"
  mv "$home/libs.part" "$home/libs"
  printf '%s\n' "$stamp" >"$home/.installed"
  log "Kafka Bridge $BRIDGE_VERSION: $(find "$home/libs" -name '*.jar' | wc -l) jars in $home/libs"
fi
printf '%s\n' "$BRIDGE_VERSION"
