#!/usr/bin/python3
"""clatd driving xlatd in TAYGA's place, exactly as clatd drives TAYGA.

clatd (the classic 464XLAT CLAT) writes its ephemeral tayga.conf (tun-device clat,
prefix, ipv4-addr 192.0.0.2, map 192.0.0.1 CLAT-IPv6), runs `tayga --config F --mktun`,
brings the TUN up with 192.0.0.1 as a local address, routes the CLAT's IPv6 address into
the TUN with a policy rule (table 0xc1a7), claims that address on the uplink with proxy
ND, adds the IPv4 default route through the TUN (metric 2048, MTU 1260, advmss 1220) and
runs `tayga --config F --nodetach -d`. Here `tayga` is xlatd, and the PLAT is xlatd too.

Replies from the PLAT come back to the CLAT's IPv6 address, the `map` entry's IPv6 side;
their IPv4 result (192.0.0.1) must go to the TUN for the kernel to deliver, not be
hairpinned back to IPv6 (which is what xlatd did before: 0 of 20 pings answered).

Runs with a network-specific prefix and with 64:ff9b::/96: ping and a 4 MiB TCP transfer
checked by SHA-256 from the client's IPv4 stack to an IPv4-only server.

Usage: test_clatd_recipe.py --xlatd PATH    (root; exits 77 otherwise)
"""
import argparse
import os
import shutil
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402
from test_plat import ping, received, tcp_transfer  # noqa: E402
from runner import Checks, needs_root_and_tun  # noqa: E402

SERVER = "203.0.114.2"      # global, so the well-known prefix may carry it (RFC 6052 §3.1)
CLAT_V6 = "2001:db8:1::c1a7"  # clat-v6-addr=derived style, in the client's /64
ROUTE_TABLE = 0xc1a7          # clatd's route-table default

CLATD_CONF = """# Ephemeral TAYGA config file written by /usr/sbin/clatd
# This file may be safely deleted at any time.
tun-device clat
prefix {prefix}
ipv4-addr 192.0.0.2
map 192.0.0.1 {clat_v6}
"""

PLAT_CONF = """tun-device nat64
ipv4-addr 192.168.255.1
{ipv6_addr}prefix {prefix}
dynamic-pool 192.168.255.0/24
data-dir {data}
"""


def run(xlatd, prefix, tag, work, checks):
    L = lab.Lab(tag)
    try:
        L.up()
        # The IPv4-only server gets a global address too.
        L.ex(L.ns4, f"ip addr add {SERVER}/32 dev a4{tag}")
        L.ex(L.nsx, f"ip route add {SERVER}/32 via 198.51.100.2")

        # The PLAT: xlatd from a plain tayga.conf (the well-known prefix cannot embed its
        # RFC 1918 ipv4-addr, so that run names its ipv6-addr).
        wkp = prefix.startswith("64:ff9b::")
        data = os.path.join(work, f"plat-{tag}")
        os.makedirs(data)
        plat_conf = os.path.join(work, f"plat-{tag}.conf")
        with open(plat_conf, "w") as f:
            f.write(PLAT_CONF.format(prefix=prefix, data=data,
                                     ipv6_addr="ipv6-addr 2001:db8:ff::1\n" if wkp else ""))
        plat_log = os.path.join(work, f"plat-{tag}.log")
        plat = L.start([xlatd, "-d", "-c", plat_conf], plat_log)
        L.wait_until_translating(plat, plat_log)
        L.route_tun(prefix=prefix)

        # The client: clatd's steps, in clatd's order, with xlatd as `tayga`.
        conf = os.path.join(work, f"clatd-{tag}.conf")
        with open(conf, "w") as f:
            f.write(CLATD_CONF.format(prefix=prefix, clat_v6=CLAT_V6))
        c = L.ns6
        L.ex(c, f"{xlatd} --config {conf} --mktun")
        L.ex(c, "sysctl -qw net.ipv6.conf.all.forwarding=1")
        L.ex(c, f"sysctl -qw net.ipv6.conf.a6{tag}.proxy_ndp=1")
        L.ex(c, f"ip -6 neighbour add proxy {CLAT_V6} dev a6{tag}")
        L.ex(c, "ip link set up dev clat")
        L.ex(c, "ip -4 address add 192.0.0.1 dev clat")
        L.ex(c, f"ip -6 route add table {ROUTE_TABLE} {CLAT_V6} dev clat")
        L.ex(c, f"ip -6 rule add to {CLAT_V6} lookup {ROUTE_TABLE}")
        L.ex(c, "ip -4 route add default dev clat metric 2048 mtu 1260 advmss 1220")
        clat_log = os.path.join(work, f"clat-{tag}.log")
        clat = L.start([xlatd, "--config", conf, "--nodetach", "-d"], clat_log, ns=c)
        L.wait_until_translating(clat, clat_log)
        if clat.poll() is not None or "translating on" not in open(clat_log).read():
            raise RuntimeError("xlatd (as clatd's tayga) exited:\n" + open(clat_log).read())

        def check_ping():
            out = ping(L, c, SERVER, count=20, extra="-i 0.05")
            return received(out) == 20, f"{received(out)}/20 replies"

        def check_tcp():
            return tcp_transfer(L, L.ns4, "0.0.0.0", c, SERVER, 18000)

        for name, check in (("ping", check_ping), ("tcp", check_tcp)):
            checks.run(name, check, label=f"prefix {prefix:18s}")
        return plat_log, clat_log
    finally:
        L.down()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xlatd", required=True)
    a = ap.parse_args()
    cannot = needs_root_and_tun()
    if cannot is not None:
        return cannot
    xlatd = os.path.abspath(a.xlatd)
    work = tempfile.mkdtemp(prefix="xlatd-clatd-recipe-")
    checks = Checks()
    for i, prefix in enumerate(("2001:db8:64::/96", "64:ff9b::/96")):
        tag = f"{os.getpid() % 10000}c{i}"
        failed_before = checks.failed
        logs = []
        try:
            logs = run(xlatd, prefix, tag, work, checks)
        except Exception as e:  # noqa: BLE001 - a setup that fails is a failed check
            checks.record("setup", False, f"{e}\n{traceback.format_exc()}", label=f"prefix {prefix:18s}")
        if checks.failed > failed_before:
            for log in logs:
                if log and os.path.exists(log):
                    print(f"--- {log} ---\n" + open(log).read()[-3000:])
    shutil.rmtree(work, ignore_errors=True)
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
