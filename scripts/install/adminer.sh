#!/usr/bin/env bash
# Adminer, the web UI of the users database (scripts/stack/ui.sh serves it with PHP's built-in
# server), from Debian's packages. php-cgi is there to stand for the web server PHP the package
# depends on: apt's first choice, Apache's PHP module, would bring Apache's binaries, which nothing
# here runs. php-pgsql is its Postgres driver.
source "$(dirname "$0")/../lib.sh"

ADMINER_PHP=/usr/share/adminer/adminer.php
if [ -f "$ADMINER_PHP" ] && command -v php >/dev/null && php -m | grep -qx pgsql; then exit 0; fi
apt_install adminer php-cli php-cgi php-pgsql
[ -f "$ADMINER_PHP" ] || die "adminer was installed but $ADMINER_PHP is missing"
php -m | grep -qx pgsql || die "php-pgsql was installed but PHP does not load its pgsql extension"
log "Adminer $(dpkg-query -W -f '${Version}' adminer) installed"
