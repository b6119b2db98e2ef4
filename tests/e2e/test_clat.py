#!/usr/bin/python3
"""End-to-end tests of xlatd as a CLAT, on the full 464XLAT path of lab464.py:
client (IPv6-only, SLAAC from radvd, xlatd --mode clat) -> router (xlatd PLAT from a
tayga.conf, NAT44 with nftables, unbound DNS64) -> IPv4-only server.

Usage: test_clat.py --xlatd PATH [--only NAME[,NAME...]] [--keep]
Prints one line per check and "N passed, N failed"; exits 77 (skipped) when not root
or without /dev/net/tun.
"""
import argparse
import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner import Checks, needs_root_and_tun  # noqa: E402
from lab464 import (Lab464, PREFIX, WEB4, WEB6, WEB_PAGE, WEB6_PAGE, clat_status, curl, quiet_translated,  # noqa: E402
                    stats_json, tcpdump_ready, v6_of)

PREFIX2 = "2001:db8:65::/96"
PY = "/usr/bin/python3"

TCP_SINK = """
import hashlib, socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("{host}", 5001)); s.listen(4)
while True:
    c, _ = s.accept(); h = hashlib.sha256(); n = 0
    while True:
        b = c.recv(65536)
        if not b: break
        h.update(b); n += len(b)
    c.close()
    open("{out}", "a").write(f"{{n}} {{h.hexdigest()}}\\n")
"""

UDP_ECHO = """
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("{host}", 5002))
while True:
    d, a = s.recvfrom(65535); s.sendto(d, a)
"""


def clat_log(lab, name="clat"):
    return open(os.path.join(lab.state, f"{name}.log")).read()


def wait_log(lab, pattern, timeout=15.0, name="clat"):
    lab.wait_for(f"CLAT log line /{pattern}/", lambda: re.search(pattern, clat_log(lab, name)), timeout)


def log_mark(lab):
    """Where the CLAT's log ends now: later waits look only at what comes after."""
    return len(clat_log(lab))


def wait_log_sequence(lab, start, *patterns, timeout=15.0, name="clat"):
    """Waits until the patterns appear in the log in this order after `start`."""
    def found():
        pos, log = start, clat_log(lab, name)
        for p in patterns:
            m = re.compile(p).search(log, pos)
            if not m:
                return False
            pos = m.end()
        return True
    lab.wait_for(f"CLAT log lines {patterns}", found, timeout)


def ping_seen_as(lab, dst4, dst6, count=3):
    """(replies, whether the router saw the CLAT send to `dst6`) for pings to `dst4`."""
    cap = tcpdump_ready(lab.router, ["-nli", lab.lan_r, "-c", "1", "icmp6 and dst host " + dst6])
    got = ping(lab, dst4, count, quiet=True)
    try:
        out = cap.communicate(timeout=5)[0]
    except subprocess.TimeoutExpired:
        cap.kill()
        out = cap.communicate()[0]
    return got, dst6 in out


def ping(lab, dst, count=3, quiet=False):
    """Replies received; prints ping's output when some are missing (unless quiet)."""
    out = lab.ex(lab.client, f"ping -c {count} -i 0.2 -W 2 {dst}", check=False).stdout
    m = re.search(r"(\d+) received", out)
    got = int(m.group(1)) if m else 0
    if got != count and not quiet:
        print(out)
    return got


def sysctls(lab):
    keys = ["net.ipv6.conf.all.forwarding", f"net.ipv6.conf.{lab.lan_c}.accept_ra",
            f"net.ipv6.conf.{lab.lan_c}.proxy_ndp"]
    return lab.ex(lab.client, "sysctl " + " ".join(keys)).stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xlatd", required=True)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--only", help="comma-separated check names")
    ap.add_argument("--fast-path", choices=("yes", "no"), default="yes",
                    help="no: the lab's PLAT and the CLAT run with their kernel fast paths off")
    args = ap.parse_args()
    cannot = needs_root_and_tun()
    if cannot is not None:
        return cannot
    state = tempfile.mkdtemp(prefix="xlatd-clat-e2e-")
    lab = Lab464(os.path.abspath(args.xlatd), state, tag="xt", fast_path=args.fast_path == "yes")
    c = Checks(args.only)
    try:
        lab.up(clat=False)
        before = sysctls(lab)
        slaac = lab.client_address()
        up_env, down_env = os.path.join(state, "up.env"), os.path.join(state, "down.env")
        lab.start_clat([f"script-up=env > {up_env}", f"script-down=env > {down_env}"])
        lab.spawn(lab.inet, "tcpsink", [PY, "-c", TCP_SINK.format(host=WEB4, out=os.path.join(state, "sink.txt"))])
        lab.spawn(lab.inet, "udpecho", [PY, "-c", UDP_ECHO.format(host=WEB4)])

        def rfc8781_prefix_from_pref64_ra():
            wait_log(lab, re.escape(f"{PREFIX} (PREF64)"))
            lab.wait_for("the IPv4 default route via clat", lab.clat_route)
            route = lab.ex(lab.client, "ip -4 route show default").stdout
            assert "mtu 1260" in route and "advmss 1220" in route and "src 192.0.0.1" in route, route

        def rfc6877_clat_address_is_dedicated_and_claimed():
            m = re.search(r"translating 192\.0\.0\.1 <-> (\S+),", clat_log(lab))
            addr = m.group(1)
            assert addr.startswith("2001:db8:1:") and addr != slaac, (addr, slaac)
            proxy = lab.ex(lab.client, f"ip -6 neigh show proxy dev {lab.lan_c}").stdout
            assert addr in proxy, proxy
            # The router resolves it (proxy ND answers) and it is not a host address.
            assert addr not in lab.ex(lab.client, "ip -6 addr").stdout

        def ping_ipv4_literal_through_clat_and_plat():
            assert ping(lab, WEB4) == 3

        def a_second_clat_on_the_device_is_refused_and_changes_nothing():
            # It used to run the first one's journal recovery before finding the TUN busy.
            before_dup = sysctls(lab)
            proxy = lab.ex(lab.client, f"ip -6 neigh show proxy dev {lab.lan_c}").stdout
            p = lab.start_clat([], name="clatdup")
            assert p.wait(timeout=10) != 0
            assert "another CLAT already runs on clat" in clat_log(lab, "clatdup"), clat_log(lab, "clatdup")
            assert sysctls(lab) == before_dup, (sysctls(lab), before_dup)
            assert lab.ex(lab.client, f"ip -6 neigh show proxy dev {lab.lan_c}").stdout == proxy
            assert ping(lab, WEB4) == 3

        def tcp_transfer_payload_checksum():
            """4 MiB to an IPv4 literal, byte-exact; with the fast path on, the CLAT's kernel
            program carries nearly all of it (its worker at most the first packets), and
            with it off there is none."""
            before = stats_json(lab, "clat")
            data = os.urandom(4 << 20)
            src = os.path.join(state, "payload.bin")
            open(src, "wb").write(data)
            lab.ex(lab.client, f"{PY} -c \"import socket; s=socket.create_connection((\\\"{WEB4}\\\", 5001), 10); "
                               f"s.sendall(open(\\\"{src}\\\", \\\"rb\\\").read()); s.close()\"")
            want = f"{len(data)} {hashlib.sha256(data).hexdigest()}"
            lab.wait_for("the server's checksum", lambda: os.path.exists(os.path.join(state, "sink.txt")) and
                         want in open(os.path.join(state, "sink.txt")).read(), timeout=20)
            after = stats_json(lab, "clat")
            worker = sum(after["total"][k] - before["total"][k] for k in ("translated_4to6", "translated_6to4"))
            if not args.fast_path == "yes":
                assert after["fast_path"] is None, after["fast_path"]
                return
            kernel = sum(after["fast_path"][k] - before["fast_path"][k] for k in ("translated_4to6", "translated_6to4"))
            assert kernel > 100 and worker <= 3, (kernel, worker)
            print(f"  the CLAT's kernel fast path translated {kernel} packets of it, its worker {worker}")

        def udp_datagrams_echoed_intact():
            code = ("import socket, os\n"
                    "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)\n"
                    "ok = 0\n"
                    "for n in (1, 100, 512, 1000, 1200):\n"
                    "    d = os.urandom(n); s.sendto(d, ('%s', 5002))\n"
                    "    ok += s.recvfrom(2000)[0] == d\n"
                    "print(ok)\n" % WEB4)
            path = os.path.join(state, "udp.py")
            open(path, "w").write(code)
            out = lab.ex(lab.client, f"{PY} {path}").stdout.strip()
            assert out == "5", out

        def http_ipv4_literal():
            body, ip = curl(lab, f"http://{WEB4}/")
            assert body == WEB_PAGE and ip == WEB4, (body, ip)

        def dns64_name_goes_through_the_plat_only():
            body, ip = curl(lab, "http://web4.lab/")
            assert body == WEB_PAGE and ip == v6_of(WEB4), (body, ip)

        def native_ipv6_is_not_translated():
            n0 = quiet_translated(lab, "plat")
            body, ip = curl(lab, "http://web6.lab/")
            assert body == WEB6_PAGE and ip == WEB6, (body, ip)
            assert quiet_translated(lab, "plat") == n0

        def script_up_gets_the_settings():
            env = open(up_env).read()
            assert f"plat_prefix={PREFIX}" in env and "clat_v6_addr=2001:db8:1:" in env, env
            assert f"plat_dev={lab.lan_c}" in env and "clat_v4_addr=192.0.0.1" in env, env
            # clatd exports every setting: the defaults of those not given too.
            for var in ("tayga_v4_addr=192.0.0.2", "route_table=49575", "cmd_ip=ip", "quiet=0",
                        "v4_defaultroute_advmss=0", "v4_conncheck_delay=0", "script_up="):
                assert f"\n{var}" in "\n" + env, (var, env)

        def native_ipv4_takes_clat_out_of_the_default_route():
            lab.ex(lab.router, f"ip addr add 10.99.0.1/24 dev {lab.lan_r}")
            lab.ex(lab.client, f"ip addr add 10.99.0.2/24 dev {lab.lan_c} && ip route add default via 10.99.0.1")
            lab.wait_for("the CLAT to leave the default route", lambda: not lab.clat_route(), timeout=5)
            wait_log(lab, "removed: native IPv4 is present")
            lab.ex(lab.client, "ip route del default via 10.99.0.1")
            lab.wait_for("the CLAT default route back", lab.clat_route, timeout=5)
            assert ping(lab, WEB4) == 3

        def pref64_withdrawn_falls_back_to_dns64():
            # The router first moves its PREF64 to PREFIX2, which the PLAT does not serve
            # while DNS64 still names PREFIX: the CLAT follows the RA on the wire.
            mark = log_mark(lab)
            lab.send_pref64(PREFIX2, 600, withdraw=PREFIX)
            wait_log_sequence(lab, mark, re.escape(f"{PREFIX2} (PREF64)"))
            got, seen = ping_seen_as(lab, WEB4, v6_of(WEB4, PREFIX2))
            assert seen and got == 0, (got, seen)
            # Then it withdraws that one too: only DNS64 is left, and the pings go to its
            # prefix (on the wire) and are answered again (issue 15: this was shown by
            # log lines only, with DNS64 and PREF64 naming the same prefix).
            mark = log_mark(lab)
            lab.send_pref64(PREFIX2, 0)
            wait_log_sequence(lab, mark, re.escape(f"PREF64 {PREFIX2} withdrawn"), re.escape(f"{PREFIX} (DNS64)"))
            lab.wait_for("the CLAT default route", lab.clat_route, timeout=5)
            got, seen = ping_seen_as(lab, WEB4, v6_of(WEB4, PREFIX))
            assert seen and got == 3, (got, seen)

        def prefix_change_is_followed():
            mark = log_mark(lab)
            lab.send_pref64(PREFIX2, 600)
            wait_log_sequence(lab, mark, re.escape(f"{PREFIX2} (PREF64)"))
            lab.wait_for("the IPv4 default route via clat", lab.clat_route)
            # The CLAT now sends to the new prefix (the PLAT does not serve it yet) ...
            got, seen = ping_seen_as(lab, WEB4, v6_of(WEB4, PREFIX2), count=2)
            assert seen and got == 0, (got, seen)
            # ... and once the PLAT serves it, traffic flows again.
            lab.kill("plat")
            conf = os.path.join(state, "tayga.conf")
            text = open(conf).read().replace(PREFIX, PREFIX2)
            open(conf, "w").write(text)
            lab.spawn(lab.router, "plat", [lab.xlatd, "-d", "-c", conf, "--control-socket",
                                           os.path.join(state, "plat.sock")])
            lab.wait_for("the PLAT's TUN", lambda: lab.ex(lab.router, "ip link show nat64", check=False).returncode == 0)
            lab.ex(lab.router, f"ip link set nat64 up && ip route replace 192.168.255.0/24 dev nat64 && "
                               f"ip -6 route replace {PREFIX2} dev nat64")
            assert ping(lab, WEB4) == 3

        def a_new_uplink_address_moves_the_clat_address():
            # The uplink is renumbered: the CLAT derives and claims an address in the new
            # /64 and releases the old one, without a restart.
            addr = lab.client_address()
            # Hold SLAAC still, or radvd's next RA brings the old address straight back.
            lab.ex(lab.client, f"sysctl -qw net.ipv6.conf.{lab.lan_c}.autoconf=0")
            mark = log_mark(lab)
            lab.ex(lab.client, f"ip addr add 2001:db8:1:1::5/64 dev {lab.lan_c} nodad && "
                               f"ip addr del {addr}/64 dev {lab.lan_c}")
            wait_log_sequence(lab, mark, r"claimed 2001:db8:1:1:\S+ on", "IPv4 default route via clat added")
            proxy = lab.ex(lab.client, f"ip -6 neigh show proxy dev {lab.lan_c}").stdout
            assert "2001:db8:1:1:" in proxy and "2001:db8:1:0:" not in proxy, proxy
            # And back.
            mark = log_mark(lab)
            lab.ex(lab.client, f"ip addr replace {addr}/64 dev {lab.lan_c} nodad && "
                               f"ip addr del 2001:db8:1:1::5/64 dev {lab.lan_c} && "
                               f"sysctl -qw net.ipv6.conf.{lab.lan_c}.autoconf=1")
            wait_log_sequence(lab, mark, r"claimed 2001:db8:1:0:\S+ on", "IPv4 default route via clat added")
            assert ping(lab, WEB4) == 3

        def rogue_pref64_does_not_move_the_prefix():
            # Issue 14, finding 4: the newest PREF64 from any on-link node used to win, so a
            # rogue node took (or flapped) the prefix; reserved prefixes and ones inside the
            # uplink's own /64 were adopted; a flood of RAs grew the state without bound.
            mark = log_mark(lab)
            rogue = ("import socket\n"
                     "from scapy.all import Ether, IPv6, ICMPv6ND_RA, Raw, conf, sendp\n"
                     "conf.verb = 0\n"
                     "def opt(p):\n"
                     "    return bytes([38, 2, 0x12, 0xc0]) + socket.inet_pton(socket.AF_INET6, p)[:12]\n"
                     "def ra(src, opts):\n"
                     "    return Ether(dst='33:33:00:00:00:01') / IPv6(src=src, dst='ff02::1', hlim=255) / "
                     "ICMPv6ND_RA(routerlifetime=0) / Raw(b''.join(opts))\n"
                     "pkts = [ra('fe80::bad', [opt('2001:db8:bad::')]) for _ in range(10)]\n"
                     "pkts += [ra('fe80::bad:1', [opt('ff02::')]), ra('fe80::bad:2', [opt('2001:db8:1:0:64::')])]\n"
                     "flood = [opt('2001:db8:%x::' % (0x100 + i)) for i in range(90)]\n"
                     "pkts += [ra('fe80::1:%x' % i, flood) for i in range(200)]\n"
                     f"sendp(pkts, iface='{lab.lan_r}', inter=0.002)\n")
            script = os.path.join(state, "rogue_ra.py")
            with open(script, "w") as f:
                f.write(rogue)
            lab.ex(lab.router, f"{PY} {script}", timeout=120)
            # Read in order: once this refusal is logged, the rogue's ten RAs were read too.
            wait_log(lab, re.escape("PREF64 ff02::/96 from fe80::bad:1 refused: a multicast"))
            wait_log(lab, re.escape("PREF64 2001:db8:1:0:64::/96 from fe80::bad:2 refused: it overlaps the uplink"))
            # The loop still turns during and after the flood: a signal is handled.
            pid = open(os.path.join(state, "clat.pid")).read().strip()
            os.kill(int(pid), signal.SIGHUP)
            wait_log_sequence(lab, mark, "SIGHUP: asking the resolvers and routers again")
            log = clat_log(lab)[mark:]
            # An adoption reads "PREF64 PREFIX from ROUTER, valid N s".
            assert not re.search(r"PREF64 2001:db8:bad::/96 from \S+, valid", log), log[-3000:]
            assert not re.search(r"PREF64 2001:db8:1:0:64::/96 from \S+, valid", log), log[-3000:]
            assert not re.search(r"PREF64 2001:db8:1[0-9a-f]{2}::/96 from \S+, valid", log), log[-3000:]
            assert re.search(r"PREF64 from fe80::1:\S+: 86 prefixes not learned", log), log[-3000:]
            assert ping(lab, WEB4) == 3
            out = subprocess.run([lab.xlatd, "stats", "--control-socket", os.path.join(state, "clat.sock")],
                                 capture_output=True, text=True, timeout=10).stdout
            assert "translated_4to6" in out, out

        def clean_shutdown_leaves_nothing_behind():
            status = lab.kill("clat")
            assert status == 0, status
            assert f"plat_prefix={PREFIX2}" in open(down_env).read()
            # The TUN goes with the last reference to it, and the io_uring's references
            # are dropped by a kernel worker after the process has exited (docs/io.md):
            # wait for that, not for a time. Everything else is gone at exit.
            lab.wait_for("the CLAT's TUN to go after its exit",
                         lambda: lab.ex(lab.client, "ip link show clat", check=False).returncode != 0, timeout=5)
            assert "clat" not in lab.ex(lab.client, "ip -4 route; ip -6 route").stdout
            assert lab.ex(lab.client, "ip -6 neigh show proxy").stdout.strip() == ""
            assert "192.0.0.1" not in lab.ex(lab.client, "ip -4 addr").stdout
            assert sysctls(lab) == before, (sysctls(lab), before)

        def rfc4862_address_in_use_is_not_claimed():
            lab.ex(lab.router, f"ip addr add 2001:db8:1::99/64 dev {lab.lan_r} nodad")
            lab.start_clat(["clat-v6-addr=2001:db8:1::99", f"plat-prefix={PREFIX2}"], name="clat2")
            try:
                wait_log(lab, "2001:db8:1::99 is already in use", name="clat2")
                # The refusal holds: two more turns of the CLAT's loop after it (each looks
                # at the host again and could retry), and still nothing is claimed.
                lab.wait_for("the CLAT reporting the refusal",
                             lambda: (clat_status(lab, "clat2") or {}).get("state") == "refused", timeout=10)
                first = clat_status(lab, "clat2")["turns"]
                lab.wait_for("two more CLAT loop turns",
                             lambda: (clat_status(lab, "clat2") or {}).get("turns", 0) >= first + 2, timeout=10)
                assert clat_status(lab, "clat2")["state"] == "refused"
                assert not lab.clat_route()
                assert "2001:db8:1::99" not in lab.ex(lab.client, "ip -6 neigh show proxy").stdout
            finally:
                assert lab.kill("clat2") == 0

        def planted_undo_journals_are_not_executed():
            # Issue 14, finding 1. The journal root executes used to live beside the control
            # socket: one planted there by `nobody` made root write a file of its choosing.
            # Now it lives only in /run/xlatd, and there it must be root's, whole and of the
            # CLAT's own forms; a `.new` link planted beside it is replaced, not followed.
            ino = lab.ex(lab.client, "stat -L -c %i /proc/self/ns/net").stdout.strip()
            journal = f"/run/xlatd/clat-{ino}-clat.undo"
            sockdir = os.path.join(state, "nobody-run")
            os.makedirs(sockdir, exist_ok=True)
            pwned = os.path.join(state, "pwned")
            with open(os.path.join(sockdir, "clat.undo"), "w") as f:
                f.write(f"sysctl ../..{pwned} 1\n")
            with open(journal, "w") as f:
                f.write("sysctl net/ipv6/conf/all/forwarding 1\n")
            shadow = os.path.join(state, "shadow")
            with open(shadow, "w") as f:
                f.write("root only\n")
            os.chmod(shadow, 0o600)
            for p in (sockdir, os.path.join(sockdir, "clat.undo"), journal):
                os.chown(p, 65534, 65534)
            os.symlink(shadow, journal + ".new")
            before = sysctls(lab)
            lab.spawn(lab.client, "clat7", [lab.xlatd, "--mode", "clat", "-d", "-c", os.path.join(state, "clatd.conf"),
                                            "--control-socket", os.path.join(sockdir, "clat7.sock")])
            wait_log(lab, "IPv4 default route via clat added", name="clat7")
            log = clat_log(lab, "clat7")
            assert not os.path.exists(pwned), "a journal beside the control socket was executed"
            assert f"undo journal {journal} refused, nothing undone" in log and "owned by uid 65534" in log, log
            assert "an earlier CLAT did not finish" not in log, log
            assert os.path.exists(journal + ".rejected")
            assert open(shadow).read() == "root only\n"
            st = os.lstat(journal)
            assert st.st_uid == 0 and (st.st_mode & 0o777) == 0o600, (st.st_uid, oct(st.st_mode))
            assert lab.kill("clat7") == 0
            assert sysctls(lab) == before, (sysctls(lab), before)
            assert not os.path.exists(journal)
            os.remove(journal + ".rejected")

        def after_kill_9_the_next_start_undoes_the_old_changes():
            # A CLAT killed without warning leaves its sysctls and proxy entry behind;
            # the next one finds the undo journal, puts them back, and its own clean exit
            # then leaves the host exactly as before the first.
            base = sysctls(lab)
            lab.start_clat([], name="clat3")
            # Settled on the advertised prefix (DNS64 may answer first, then PREF64 wins).
            wait_log_sequence(lab, 0, re.escape(f"via {PREFIX2} (PREF64)"), "IPv4 default route via clat added",
                              name="clat3")
            assert sysctls(lab) != base
            assert lab.kill("clat3", sig=9) == -9
            left = lab.ex(lab.client, "ip -6 neigh show proxy").stdout.split()
            assert left, "the killed CLAT left no proxy entry behind"
            old_address = left[0]
            # The next CLAT claims another address, so the old entry can only go if the
            # journal's recovery removes it (issue 15: a recovery that only logged the
            # removal passed when both claimed the same address).
            lab.start_clat(["clat-v6-addr=2001:db8:1::c1a4"], name="clat4")
            wait_log(lab, "an earlier CLAT did not finish", name="clat4")
            wait_log(lab, "removed the proxy entry " + re.escape(old_address), name="clat4")
            wait_log(lab, "sysctl net/ipv6/conf/all/forwarding restored to 0", name="clat4")
            wait_log(lab, "IPv4 default route via clat added", name="clat4")
            proxies = lab.ex(lab.client, "ip -6 neigh show proxy").stdout
            assert old_address not in proxies.split() and "2001:db8:1::c1a4" in proxies.split(), proxies
            assert lab.kill("clat4") == 0
            assert sysctls(lab) == base, (sysctls(lab), base)
            assert lab.ex(lab.client, "ip -6 neigh show proxy").stdout.strip() == ""
            ino = lab.ex(lab.client, "stat -L -c %i /proc/self/ns/net").stdout.strip()
            assert not os.path.exists(f"/run/xlatd/clat-{ino}-clat.undo")

        def clatd_shared_address_catches_only_the_clats_connections():
            # clat-v6-addr=shared (clatd's default): the CLAT translates to the host's own
            # address; its connections are marked (ctmark) and only their replies come back
            # into the CLAT. The host's own IPv6 to the PLAT prefix is left alone.
            rules_before = lab.ex(lab.client, "ip -6 rule").stdout
            lab.start_clat(["clat-v6-addr=shared"], name="clat5")
            wait_log_sequence(lab, 0, re.escape(f"via {PREFIX2} (PREF64)"), "IPv4 default route via clat added",
                              name="clat5")
            host = lab.client_address()
            assert re.search(rf"translating 192\.0\.0\.1 <-> {re.escape(host)},", clat_log(lab, "clat5")), host
            assert "xlatd_clat_clat" in lab.ex(lab.client, "nft list tables").stdout
            rules = lab.ex(lab.client, "ip -6 rule").stdout.splitlines()
            assert rules[0].split() == ["0:", "from", "all", "fwmark", "0xc1a7", "lookup", "49575"], rules
            assert rules[1].split()[-1] == "local", rules
            n_clat, n_plat = quiet_translated(lab, "clat5"), quiet_translated(lab, "plat")
            body, ip = curl(lab, f"http://{WEB4}/")  # IPv4 literal: CLAT, then PLAT
            assert body == WEB_PAGE and ip == WEB4, (body, ip)
            assert quiet_translated(lab, "clat5") > n_clat
            # The host's own IPv6 connection to the PLAT prefix, from the same address.
            n_clat, n_plat = quiet_translated(lab, "clat5"), quiet_translated(lab, "plat")
            web4_via_plat = v6_of(WEB4, PREFIX2)
            body, ip = curl(lab, f"http://[{web4_via_plat}]/")
            assert body == WEB_PAGE and ip == web4_via_plat, (body, ip)
            assert quiet_translated(lab, "plat") > n_plat and quiet_translated(lab, "clat5") == n_clat
            assert ping(lab, WEB4) == 3
            # Killed, it leaves the marking behind; the next start removes it (journal).
            assert lab.kill("clat5", sig=9) == -9
            assert "xlatd_clat_clat" in lab.ex(lab.client, "nft list tables").stdout
            lab.start_clat(["clat-v6-addr=shared"], name="clat6")
            # The recovery puts forwarding and accept_ra back, which may drop the RA-learned
            # default route a moment: wait for the CLAT to settle on the PREF64 prefix again.
            wait_log_sequence(lab, 0, "removed the connection marking of clat and its rule",
                              re.escape(f"via {PREFIX2} (PREF64)"), "IPv4 default route via clat added",
                              timeout=30, name="clat6")
            assert ping(lab, WEB4) == 3
            assert lab.kill("clat6") == 0
            assert "xlatd_clat_clat" not in lab.ex(lab.client, "nft list tables").stdout
            assert lab.ex(lab.client, "ip -6 rule").stdout == rules_before
            assert lab.ex(lab.client, "ip -6 route show table 49575", check=False).stdout.strip() == ""

        for fn in (rfc8781_prefix_from_pref64_ra, rfc6877_clat_address_is_dedicated_and_claimed,
                   ping_ipv4_literal_through_clat_and_plat,
                   a_second_clat_on_the_device_is_refused_and_changes_nothing, tcp_transfer_payload_checksum,
                   udp_datagrams_echoed_intact, http_ipv4_literal, dns64_name_goes_through_the_plat_only,
                   native_ipv6_is_not_translated, script_up_gets_the_settings,
                   native_ipv4_takes_clat_out_of_the_default_route, pref64_withdrawn_falls_back_to_dns64,
                   prefix_change_is_followed, a_new_uplink_address_moves_the_clat_address,
                   rogue_pref64_does_not_move_the_prefix,
                   clean_shutdown_leaves_nothing_behind,
                   rfc4862_address_in_use_is_not_claimed, planted_undo_journals_are_not_executed,
                   after_kill_9_the_next_start_undoes_the_old_changes,
                   clatd_shared_address_catches_only_the_clats_connections):
            c.run(fn.__name__, fn)
    finally:
        if not args.keep:
            for name in ("tcpsink", "udpecho"):
                lab.kill(name)
            lab.down()
        status = c.summary(f" (logs in {state})")
    return status


if __name__ == "__main__":
    sys.exit(main())
