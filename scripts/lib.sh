# Shared helpers for the project's shell scripts. Source it; it sets ROOT, CACHE and LOCAL.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Downloads and built tools: gitignored, reused across runs so a second run installs nothing.
CACHE=${DOCPIPE_CACHE:-$ROOT/.cache}
# Runtime state of the local stack: data folders, logs, pid files.
LOCAL=${DOCPIPE_LOCAL:-$ROOT/.local}
# shellcheck source=versions.env
source "$ROOT/scripts/versions.env"
mkdir -p "$CACHE/bin"
export PATH="$CACHE/node/bin:$CACHE/bin:$PATH"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# need CMD HOW: fail with a message that names the missing prerequisite and how to get it.
need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is required but was not found on PATH. $2"
}

# fetch URL DEST [HINT]: download once into the cache with a visible progress bar; atomic, so an
# interrupted download is never mistaken for a complete one. HINT follows the error of a failure.
fetch() {
  local url=$1 dest=$2 hint=${3:-}
  [ -s "$dest" ] && return 0
  mkdir -p "$(dirname "$dest")"
  log "downloading $url"
  curl -fL --retry 3 --progress-bar -o "$dest.part" "$url" || die "download failed: $url${hint:+; $hint}"
  mv "$dest.part" "$dest"
}

# apt_install PKG...: install Debian packages that are missing (the script runs as root or via sudo).
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  need apt-get "Install the packages by hand: ${missing[*]}."
  local sudo=""
  [ "$(id -u)" -eq 0 ] || { need sudo "Run as root or install: ${missing[*]}."; sudo=sudo; }
  log "apt-get install ${missing[*]}"
  $sudo apt-get update -qq >/dev/null || warn "apt-get update failed; trying the install anyway"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# go_build_env: Go needs a toolchain; modules and build cache stay in Go's own cache folders.
need_go() { need go "Install Go 1.23 or newer from https://go.dev/dl/ (or: apt-get install golang-go)."; }
need_java() { need java "Install a Java 17+ runtime: apt-get install -y openjdk-17-jre-headless."; }

# pg_bin: print the newest Debian Postgres server binaries folder (fails when there is none).
pg_bin() {
  local d
  d=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$d" ] || [ ! -x "$d/initdb" ] || [ ! -x "$d/pg_ctl" ]; then return 1; fi
  printf '%s\n' "$d"
}

# apt_install_nostart PKG...: apt_install, with the packages' services kept from starting (a
# policy-rc.d that refuses, as container images do): the stack runs its own instances on its own
# ports, and a system Postgres or Prometheus would only hold 5432/9090 and memory.
apt_install_nostart() {
  local policy=/usr/sbin/policy-rc.d sudo=""
  if [ -e "$policy" ]; then apt_install "$@"; return; fi
  [ "$(id -u)" -eq 0 ] || { need sudo "Run as root or install: $*."; sudo=sudo; }
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  ( trap '$sudo rm -f "$policy"' EXIT; apt_install "$@" )
}

# maven_jars NAME DEST DEPENDENCIES_XML: copy the runtime closure of the given <dependency>
# elements from Maven Central into DEST (replaced atomically), one line per downloaded jar on stderr
# (installers print their result on stdout), with Maven's full log kept next to DEST for when it
# fails. Jars are cached in $CACHE/m2.
maven_jars() {
  local name=$1 dest=$2 deps=$3 build
  need mvn "Maven resolves jars from Maven Central: apt-get install -y maven."
  build=$dest.resolve
  rm -rf "$build" "$dest.part"
  mkdir -p "$build"
  cat >"$build/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.docpipe</groupId>
  <artifactId>$name</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>$deps
  </dependencies>
</project>
POM
  if ! mvn -B -f "$build/pom.xml" -Dmaven.repo.local="$CACHE/m2" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dest.part" \
      2>&1 | tee "$build/mvn.log" | sed -un 's|^\[INFO\] Downloaded from [^:]*: .*/\([^/]*\.jar\) (\(.*\))$|  \1 (\2)|p' >&2; then
    tail -n 30 "$build/mvn.log" >&2
    die "Maven could not resolve $name (full log: $build/mvn.log)"
  fi
  rm -rf "$dest"
  mv "$dest.part" "$dest"
}

# The log4j2 jars Kafka's distribution ships: its POMs leave logging out. Kafka compiles against the
# SLF4J 1.x API (slf4j-api 1.7.36), hence log4j-slf4j-impl and not slf4j2-impl.
LOG4J_DEPENDENCIES="
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>"
