#!/bin/sh
# The "Internet" container: an IPv4-only and an IPv6 web server (tests/e2e/web_server.py).
set -eu
. /lab/common.sh
mkdir -p "$STATE/web4-www" "$STATE/web6-www"
echo "hello from the IPv4-only web server" > "$STATE/web4-www/index.html"
echo "hello from the IPv6 web server" > "$STATE/web6-www/index.html"
ip -6 route replace default via 2001:db8:2::1
/usr/bin/python3 /e2e/web_server.py 203.0.113.2 80 "$STATE/web4-www" &
/usr/bin/python3 /e2e/web_server.py 2001:db8:2::2 80 "$STATE/web6-www" &
wait
