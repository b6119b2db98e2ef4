#!/bin/sh
# The IPv6-only client container: xlatd --mode clat with the lab's clatd.conf; the
# prefix comes from the router's PREF64 RAs (or its DNS64).
set -eu
. /lab/common.sh
render clatd.conf
ip -6 route replace default via 2001:db8:1::1
exec xlatd --mode clat -n --stdout -c "$STATE/clatd.conf" --control-socket "$STATE/clat.sock"
