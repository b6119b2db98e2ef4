#!/bin/sh
# The container image of docker/Dockerfile, built and run as an operator would, with
# Debian's podman: the base is a Debian 12 root made by mmdebstrap (no registry can be
# reached), the package is the .deb the package test built. The container joins a
# network namespace this test made between an IPv6 client and an IPv4 server and runs
# its default command (xlatd -n on the mounted tayga.conf); then:
#   - the TUN, its route and the addresses come from the config's tun-* directives;
#   - ping from the IPv6 client reaches the IPv4 server through it, 3 of 3 replies;
#   - `xlatd stats --json` inside the container counts those packets each way;
#   - `podman stop` (SIGTERM) ends it with status 0 and dynamic.map, in a mounted
#     data-dir, holds the client's mapping.
# Usage: test_container.sh SOURCE_DIR DEB_DIR   (root; 77 when a tool is missing and CI is unset)
set -eu
src=$1
. "$src/tests/packaging/namespaces.sh"
debdir=$2
skip() { echo "$1"; [ "${CI:-}" = true ] && exit 1 || exit 77; }
for tool in podman runc mmdebstrap; do
  command -v "$tool" >/dev/null || skip "no $tool (scripts/install-deps.sh installs it)"
done
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, rootful podman)"
deb=$(ls "$debdir"/xlatd_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "no xlatd_*.deb in $debdir (the package test builds it)"; exit 1; }

# The settings notes/containers.md found necessary here: runc (crun refuses hybrid
# cgroups), cgroupfs, and ulimits within the machine's hard limits.
podman="podman --runtime runc --cgroup-manager=cgroupfs"
limits="--ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
tag=$$
image=localhost/xlatd-test:$tag
base=localhost/xlatd-test-base:$tag
name=xlatd-test-$tag
c6=xct6-$tag; plat=xctp-$tag; c4=xct4-$tag
work=$(mktemp -d)
cleanup() {
  $podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
  $podman rmi -f "$image" "$base" >/dev/null 2>&1 || true
  delete_namespaces "$c6" "$plat" "$c4"
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "container test: FAILED: $1"; $podman logs "$name" 2>&1 | tail -30 || true; exit 1; }

echo "== base root (mmdebstrap) and image (podman build of docker/Dockerfile)"
mmdebstrap --quiet --variant=apt bookworm "$work/base.tar" > "$work/mmdebstrap.log" 2>&1 ||
  { tail -30 "$work/mmdebstrap.log"; fail "mmdebstrap"; }
$podman import -q "$work/base.tar" "$base" >/dev/null
rm -f "$work/base.tar"
mkdir "$work/context"
cp "$deb" "$work/context/"
$podman build -q --network host $limits --build-arg BASE="$base" \
  -f "$src/docker/Dockerfile" -t "$image" "$work/context" > "$work/build.log" 2>&1 ||
  { tail -30 "$work/build.log"; fail "podman build"; }

echo "== namespaces: IPv6 client $c6 -- translator $plat -- IPv4 server $c4"
make_namespaces "$c6" "$plat" "$c4"

mkdir "$work/data"
cat > "$work/tayga.conf" <<'EOF'
tun-device nat64
ipv4-addr 192.168.255.1
prefix 2001:db8:64::/96
dynamic-pool 192.168.255.0/24
data-dir /var/spool/tayga
tun-up yes
tun-route 192.168.255.0/24
tun-route 2001:db8:64::/96
EOF

echo "== run: the image's default command, in $plat"
$podman run -d --name "$name" $limits --network "ns:/run/netns/$plat" \
  --cap-add NET_ADMIN --device /dev/net/tun \
  -v "$work/tayga.conf:/etc/tayga.conf:ro" -v "$work/data:/var/spool/tayga" "$image" >/dev/null

# Wait for the condition (the routes the daemon adds once its TUN is up), bounded.
i=0
until ip -n "$plat" -6 route show 2001:db8:64::/96 | grep -q "dev nat64" &&
      ip -n "$plat" route show 192.168.255.0/24 | grep -q "dev nat64"; do
  i=$((i + 1))
  [ "$(  $podman inspect -f '{{.State.Running}}' "$name")" = true ] || fail "the daemon exited"
  [ $i -lt 300 ] || fail "no route through nat64 after 30 s"
  sleep 0.1
done
ip -n "$plat" link show nat64 | grep -q "UP" || fail "nat64 is not up"

echo "== ping 2001:db8:64::198.51.100.2 from the IPv6 client"
ip netns exec "$c6" ping -n -c 3 -i 0.2 -W 2 2001:db8:64::198.51.100.2 > "$work/ping.txt" || true
cat "$work/ping.txt"
grep -q " 3 received" "$work/ping.txt" || fail "ping through the container: not 3 of 3 replies"

echo "== xlatd stats --json in the container"
$podman exec "$name" xlatd stats --json > "$work/stats.json" || fail "xlatd stats"
/usr/bin/python3 - "$work/stats.json" <<'EOF' || fail "counters"
import json, sys
s = json.load(open(sys.argv[1]))
t = s["total"]
print("6to4", t["translated_6to4"], "4to6", t["translated_4to6"])
assert t["translated_6to4"] >= 3 and t["translated_4to6"] >= 3, t
EOF

echo "== podman stop (SIGTERM): clean exit, dynamic.map written"
$podman stop -t 20 "$name" >/dev/null
code=$($podman inspect -f '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || fail "exit status $code after SIGTERM"
grep -q "2001:db8:1::2" "$work/data/dynamic.map" || fail "dynamic.map lacks the client: $(cat "$work/data/dynamic.map" 2>&1)"
grep "2001:db8:1::2" "$work/data/dynamic.map"
$podman logs "$name" 2>&1 | tail -5
echo "container test: image built from docker/Dockerfile with $(basename "$deb"); translated in a test namespace; all checks passed"
