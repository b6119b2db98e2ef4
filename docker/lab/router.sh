#!/bin/sh
# The router/PLAT container: xlatd from tayga.conf, NAT44, radvd, PREF64 RAs, unbound DNS64.
set -eu
. /lab/common.sh
LAN=$(lan_if) WAN=$(wan_if)
for f in tayga.conf nat44.nft radvd.conf unbound.conf ipv4only.arpa.zone lab.zone pref64.txt; do render "$f"; done
xlatd -n --stdout -c "$STATE/tayga.conf" --control-socket "$STATE/plat.sock" &
while ! ip link show nat64 >/dev/null 2>&1; do sleep 0.1; done
ip link set nat64 up
ip route add 192.168.255.0/24 dev nat64
ip -6 route add 2001:db8:64::/96 dev nat64
nft -f "$STATE/nat44.nft"
unbound -d -c "$STATE/unbound.conf" &
radvd -n -C "$STATE/radvd.conf" -p "$STATE/radvd.pid" -m stderr &
/usr/bin/python3 /e2e/pref64_ra.py "$LAN" "$STATE/pref64.txt" fe80::64 &
wait
