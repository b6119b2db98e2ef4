#!/bin/sh
# The packaged units under a real systemd: a Debian 12 root (mmdebstrap, with systemd and
# the project's .deb installed by apt-get) booted as a podman container with systemd as
# PID 1, in a network namespace this test made between an IPv6 client and an IPv4 server:
#   - `systemctl start xlatd` on a tayga.conf: Type=notify reaches READY (the status
#     line is the daemon's), the watchdog is armed (30 s), the main process holds exactly
#     CAP_NET_ADMIN CAP_BPF CAP_PERFMON, / is read-only and the data-dir writable;
#   - ping from the IPv6 client reaches the IPv4 server through it, 3 of 3;
#   - `systemctl reload` is a SIGHUP to the same process, which writes dynamic.map from
#     inside the sandbox; `systemctl stop` ends it cleanly;
#   - xlatd@odd, a data-dir outside the unit's ReadWritePaths: every start fails, saying
#     which ReadWritePaths= to add, until systemd's start limit leaves it failed;
#   - xlatd@wd with WatchdogSec=2s: it outlives three watchdog periods, and once stopped
#     (SIGSTOP, a hung daemon) systemd declares the watchdog timeout and restarts it.
# The container gets CAP_SYS_ADMIN and no seccomp filter, as systemd has on a host:
# without CAP_SYS_ADMIN systemd skips the units' mount sandbox without a word (it was
# found so here), and podman's filter refuses io_uring.
# Usage: test_systemd_units.sh SOURCE_DIR DEB_DIR   (root; 77 when a tool is missing and CI is unset)
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

podman="podman --runtime runc --cgroup-manager=cgroupfs"
tag=$$
image=localhost/xlatd-systemd-test:$tag
name=xlatd-systemd-test-$tag
c6=xst6-$tag; plat=xstp-$tag; c4=xst4-$tag
work=$(mktemp -d)
cleanup() {
  $podman rm -f -t 0 "$name" >/dev/null 2>&1 || true
  $podman rmi -f "$image" >/dev/null 2>&1 || true
  delete_namespaces "$c6" "$plat" "$c4"
  rm -rf "$work"
}
trap cleanup EXIT
in_c() { $podman exec "$name" sh -c "$1"; }
write_c() { $podman exec -i "$name" sh -c "mkdir -p \"\$(dirname $1)\" && cat > $1"; }  # stdin to FILE
fail() {
  echo "systemd units test: FAILED: $1"
  in_c "journalctl --no-pager -n 40 -u 'xlatd*'" 2>&1 || true
  exit 1
}
# wait_until WHAT SHELL-CONDITION [TENTHS]: polls the condition, bounded.
wait_until() {
  i=0
  until eval "$2"; do
    i=$((i + 1))
    [ $i -lt "${3:-300}" ] || fail "$1 (not within $(( ${3:-300} / 10 )) s)"
    sleep 0.1
  done
}
prop() { in_c "systemctl show -p $2 --value $1"; }

echo "== a Debian 12 root with systemd and $(basename "$deb") (mmdebstrap, apt-get install)"
mmdebstrap --quiet --variant=apt --include=systemd,systemd-sysv,iproute2 bookworm "$work/root.tar" \
  --customize-hook="copy-in $deb /tmp" \
  --customize-hook="chroot \"\$1\" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/$(basename "$deb")" \
  > "$work/mmdebstrap.log" 2>&1 || { tail -30 "$work/mmdebstrap.log"; fail "mmdebstrap"; }
$podman import -q "$work/root.tar" "$image" >/dev/null
rm -f "$work/root.tar"

echo "== namespaces: IPv6 client $c6 -- translator $plat (the container) -- IPv4 server $c4"
make_namespaces "$c6" "$plat" "$c4"

echo "== boot: systemd as PID 1"
$podman run -d --name "$name" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --systemd=always \
  --network "ns:/run/netns/$plat" --cap-add SYS_ADMIN,NET_ADMIN,BPF,PERFMON --security-opt seccomp=unconfined \
  --device /dev/net/tun "$image" /lib/systemd/systemd >/dev/null
wait_until "systemd up" '[ "$(in_c "systemctl is-system-running" 2>/dev/null)" = running ] ||
  [ "$(in_c "systemctl is-system-running" 2>/dev/null)" = degraded ]'

echo "== systemctl start xlatd (/etc/tayga.conf, data-dir /var/spool/tayga)"
write_c /etc/tayga.conf <<'EOF'
tun-device nat64
ipv4-addr 192.168.255.1
prefix 2001:db8:64::/96
dynamic-pool 192.168.255.0/24
data-dir /var/spool/tayga
tun-up yes
tun-route 192.168.255.0/24
tun-route 2001:db8:64::/96
EOF
in_c "systemctl start xlatd" || fail "systemctl start xlatd"
[ "$(prop xlatd ActiveState)" = active ] || fail "xlatd is not active"
status=$(prop xlatd StatusText)
echo "status: $status"
[ "$status" = "translating on nat64" ] || fail "no READY status from the daemon: '$status'"
[ "$(prop xlatd WatchdogUSec)" = 30s ] || fail "watchdog: $(prop xlatd WatchdogUSec)"
pid=$(prop xlatd MainPID)
caps=$(in_c "grep CapEff /proc/$pid/status" | awk '{print $2}')
echo "main process $pid, CapEff $caps"
# CAP_NET_ADMIN (12), CAP_PERFMON (38), CAP_BPF (39), nothing else.
[ "$caps" = 000000c000001000 ] || fail "capabilities $caps"
in_c "awk '\$5 == \"/\" {print \$6}' /proc/$pid/mountinfo" | grep -q '^ro' || fail "/ is writable inside the unit"
in_c "awk '\$5 == \"/var/spool/tayga\" {print \$6}' /proc/$pid/mountinfo" | grep -q '^rw' ||
  fail "/var/spool/tayga is not writable inside the unit"

echo "== ping 2001:db8:64::198.51.100.2 from the IPv6 client"
wait_until "the route through nat64" 'ip -n "$plat" -6 route show 2001:db8:64::/96 | grep -q "dev nat64"'
ip netns exec "$c6" ping -n -c 3 -i 0.2 -W 2 2001:db8:64::198.51.100.2 > "$work/ping.txt" || true
cat "$work/ping.txt"
grep -q " 3 received" "$work/ping.txt" || fail "ping through the unit's daemon: not 3 of 3 replies"

echo "== systemctl reload: SIGHUP to the same process, dynamic.map written from the sandbox"
in_c "systemctl reload xlatd" || fail "systemctl reload"
wait_until "the SIGHUP line" 'in_c "journalctl --no-pager -u xlatd" | grep -q "SIGHUP: "'
[ "$(prop xlatd MainPID)" = "$pid" ] || fail "reload changed the main process"
in_c "grep 2001:db8:1::2 /var/spool/tayga/dynamic.map" || fail "dynamic.map lacks the client after SIGHUP"

echo "== systemctl stop"
in_c "systemctl stop xlatd" || fail "systemctl stop"
[ "$(prop xlatd Result)" = success ] || fail "stop result $(prop xlatd Result)"
in_c "journalctl --no-pager -u xlatd" | grep -q "Deactivated successfully" || fail "no clean deactivation"

echo "== xlatd@odd: a data-dir the sandbox keeps read-only fails the start, saying why"
write_c /etc/tayga/odd.conf <<'EOF'
tun-device odd0
ipv4-addr 192.168.254.1
prefix 2001:db8:65::/96
dynamic-pool 192.168.254.0/24
data-dir /srv/xlatd-odd
EOF
in_c "systemctl start xlatd@odd" 2>/dev/null && fail "xlatd@odd started with a read-only data-dir"
# Restart=on-failure tries again (a refused start is a failure) until the start limit,
# then the unit stays failed.
wait_until "xlatd@odd to settle failed" '[ "$(prop xlatd@odd ActiveState)" = failed ]' 200
echo "xlatd@odd: $(prop xlatd@odd ActiveState), result $(prop xlatd@odd Result), $(prop xlatd@odd NRestarts) restarts"
in_c "journalctl --no-pager -u xlatd@odd" | grep -m1 "ReadWritePaths=/srv/xlatd-odd" || fail "no ReadWritePaths hint"
in_c "journalctl --no-pager -u xlatd@odd" | grep -q "Started xlatd@odd" && fail "xlatd@odd started"

echo "== xlatd@wd, WatchdogSec=2s: alive through three periods, restarted when hung"
write_c /etc/tayga/wd.conf <<'EOF'
tun-device wd0
ipv4-addr 192.168.253.1
prefix 2001:db8:66::/96
dynamic-pool 192.168.253.0/24
data-dir /var/lib/tayga/wd
EOF
# TimeoutAbortSec: a stopped process does not act on the watchdog's SIGABRT; SIGKILL it
# after 2 s instead of the default 90.
in_c 'mkdir -p /etc/systemd/system/xlatd@wd.service.d && printf "[Service]\nWatchdogSec=2s\nTimeoutAbortSec=2s\n" > /etc/systemd/system/xlatd@wd.service.d/test.conf && systemctl daemon-reload'
in_c "systemctl start xlatd@wd" || fail "systemctl start xlatd@wd"
wdpid=$(prop xlatd@wd MainPID)
entered=$(prop xlatd@wd ActiveEnterTimestampMonotonic)
# Three periods are 6 s of the container's monotonic clock (the unit's own timestamps).
wait_until "three watchdog periods" \
  '[ $(( $(in_c "cut -d. -f1 /proc/uptime") * 1000000 - entered )) -ge 6000000 ]' 150
[ "$(prop xlatd@wd ActiveState)" = active ] && [ "$(prop xlatd@wd NRestarts)" = 0 ] &&
  [ "$(prop xlatd@wd MainPID)" = "$wdpid" ] || fail "xlatd@wd did not outlive its watchdog"
in_c "kill -STOP $wdpid"
wait_until "the watchdog restart" '[ "$(prop xlatd@wd NRestarts)" = 1 ] && [ "$(prop xlatd@wd ActiveState)" = active ]' 200
in_c "journalctl --no-pager -u xlatd@wd" | grep -m1 "Watchdog timeout" || fail "no watchdog timeout in the journal"
[ "$(prop xlatd@wd MainPID)" != "$wdpid" ] || fail "the hung process is still the main one"
[ "$(prop xlatd@wd StatusText)" = "translating on wd0" ] || fail "restarted xlatd@wd is not translating"
echo "systemd units test: $(basename "$deb") under systemd $(in_c 'systemctl --version' | head -1 | cut -d' ' -f2); all checks passed"
