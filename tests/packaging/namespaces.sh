# Sourced by the container and systemd tests: the three namespaces they both run in.
#   make_namespaces C6 PLAT C4: an IPv6 client (2001:db8:1::2) -- the translator's
#   namespace (2001:db8:1::1, 198.51.100.1; forwarding on) -- an IPv4 server
#   (198.51.100.2, routing the pool 192.168.255.0/24 back through the translator).
#   delete_namespaces C6 PLAT C4.
make_namespaces() {
  c6=$1 plat=$2 c4=$3
  for ns in $c6 $plat $c4; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
  ip -n "$c6" link add c6 type veth peer name p6 netns "$plat"
  ip -n "$c4" link add c4 type veth peer name p4 netns "$plat"
  ip netns exec "$c6" sysctl -qw net.ipv6.conf.all.accept_dad=0
  ip netns exec "$plat" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1
  ip -n "$c6" addr add 2001:db8:1::2/64 dev c6 nodad
  ip -n "$plat" addr add 2001:db8:1::1/64 dev p6 nodad
  ip -n "$plat" addr add 198.51.100.1/24 dev p4
  ip -n "$c4" addr add 198.51.100.2/24 dev c4
  for l in "$c6 c6" "$plat p6" "$plat p4" "$c4 c4"; do set -- $l; ip -n "$1" link set "$2" up; done
  ip -n "$c6" route add default via 2001:db8:1::1
  ip -n "$c4" route add 192.168.255.0/24 via 198.51.100.1
}

delete_namespaces() {
  for ns in "$@"; do ip netns del "$ns" 2>/dev/null || true; done
}
