#!/usr/bin/python3
"""The 464XLAT lab: the classic deployment in network namespaces on one machine.

    client ------------------- router/PLAT ------------------- inet
    IPv6-only LAN (SLAAC)      radvd, unbound (DNS64),         IPv4-only web 203.0.113.2
    xlatd --mode clat          xlatd PLAT (tayga.conf),        IPv6 web 2001:db8:2::2
    clat: 192.0.0.1            NAT44 (nftables) behind
    2001:db8:1::/64            203.0.113.1
                               lan 2001:db8:1::1/64, wan 203.0.113.1/24 + 2001:db8:2::1/64
                               NAT64 prefix 2001:db8:64::/96, pool 192.168.255.0/24

Only addresses inside these namespaces are used (documentation ranges). Debian's radvd
2.19 cannot send PREF64 (RFC 8781), so a second, router-lifetime-0 RA carrying it is
crafted with scapy from fe80::64 (pref64_ra.py).

Used by scripts/lab (the README's main job) and by the e2e tests (tests/e2e/test_clat.py).
Needs root and /usr/bin/python3 with scapy.
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lab import v6_of  # noqa: E402,F401 - v6_of is part of this module's interface
from netns_lab import NamespaceLab  # noqa: E402
from runner import Checks, needs_root_and_tun  # noqa: E402

PREFIX = "2001:db8:64::/96"
POOL = "192.168.255.0/24"
WAN4 = "203.0.113.1"
WEB4 = "203.0.113.2"
WEB6 = "2001:db8:2::2"
LAN_ROUTER = "2001:db8:1::1"
PREF64_ROUTER = "fe80::64"  # the crafted PREF64 RAs come from this "router"


HERE = os.path.dirname(os.path.abspath(__file__))
CONF_DIR = os.path.join(HERE, "..", "..", "etc", "lab")  # shared with docker/compose.464xlat.yml


WEB_PAGE = "hello from the IPv4-only web server\n"
WEB6_PAGE = "hello from the IPv6 web server\n"


class Lab464(NamespaceLab):
    def __init__(self, xlatd, state, tag="xl", fast_path=True):
        self.xlatd = xlatd
        self.fast_path = fast_path  # False: `fast-path no` in the PLAT's tayga.conf and the CLAT's clatd.conf
        self.state = state
        self.tag = tag
        self.client, self.router, self.inet = f"{tag}-client", f"{tag}-router", f"{tag}-inet"
        super().__init__(self.client, self.router, self.inet)
        self.lan_c, self.lan_r = f"{tag}c0", f"{tag}r0"  # client <-> router
        self.wan_r, self.wan_i = f"{tag}r1", f"{tag}i0"  # router <-> inet

    # --- helpers -------------------------------------------------------------------
    # --- building ------------------------------------------------------------------
    def up(self, clat=True, clat_args=(), pref64=True):
        self.down()
        os.makedirs(os.path.join(self.state, "plat"), exist_ok=True)
        self.add_namespaces()
        self.veth(self.lan_c, self.client, self.lan_r, self.router)
        self.veth(self.wan_r, self.router, self.wan_i, self.inet)
        # The client's resolver, as `ip netns exec` shows it (/etc/netns/NS/resolv.conf).
        os.makedirs(f"/etc/netns/{self.client}", exist_ok=True)
        with open(f"/etc/netns/{self.client}/resolv.conf", "w") as f:
            f.write(f"nameserver {LAN_ROUTER}\n")

        r = self.router
        self.ex(r, f"ip link set {self.lan_r} up && ip addr add {LAN_ROUTER}/64 dev {self.lan_r} nodad")
        self.ex(r, f"ip link set {self.wan_r} up && ip addr add {WAN4}/24 dev {self.wan_r}")
        self.ex(r, f"ip addr add 2001:db8:2::1/64 dev {self.wan_r} nodad")
        self.ex(r, "sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1")
        i = self.inet
        self.ex(i, f"ip link set {self.wan_i} up && ip addr add {WEB4}/24 dev {self.wan_i}")
        self.ex(i, f"ip addr add {WEB6}/64 dev {self.wan_i} nodad && ip -6 route add default via 2001:db8:2::1")
        # The IPv4 Internet knows only the WAN address: no route to the pool (NAT44 hides it).
        self.ex(i, f"ip route add default via {WAN4}")
        self.ex(self.client, f"ip link set {self.lan_c} up")

        # Every daemon reads its file from etc/lab/ (the docker compose lab uses the same
        # files), with the lab's state directory and interface names filled in.
        for name in ("tayga.conf", "nat44.nft", "radvd.conf", "unbound.conf", "ipv4only.arpa.zone", "lab.zone",
                     "clatd.conf"):
            text = open(os.path.join(CONF_DIR, name)).read()
            text = text.replace("@STATE@", self.state).replace("@LAN@", self.lan_r).replace("@WAN@", self.wan_r)
            if name == "tayga.conf" and not self.fast_path:
                text += "fast-path no\n"
            if name == "clatd.conf" and not self.fast_path:
                text += "fast-path=no\n"
            with open(os.path.join(self.state, name), "w") as f:
                f.write(text)

        # PLAT: xlatd from a plain tayga.conf; the pool is masqueraded behind the WAN address.
        self.spawn(r, "plat", [self.xlatd, "-d", "-c", os.path.join(self.state, "tayga.conf"),
                               "--control-socket", os.path.join(self.state, "plat.sock")])
        self.wait_for("the PLAT's TUN", lambda: self.ex(r, "ip link show nat64", check=False).returncode == 0)
        self.ex(r, f"ip link set nat64 up && ip route add {POOL} dev nat64 && ip -6 route add {PREFIX} dev nat64")
        self.ex(r, f"nft -f {self.state}/nat44.nft")

        # DNS64 resolver and router advertisements.
        self.spawn(r, "unbound", ["unbound", "-d", "-c", os.path.join(self.state, "unbound.conf")])
        self.spawn(r, "radvd", ["radvd", "-n", "-C", os.path.join(self.state, "radvd.conf"),
                                "-p", os.path.join(self.state, "radvd.pid.file"), "-m", "stderr"])

        # The "Internet": an IPv4-only and an IPv6 web server.
        web = os.path.join(HERE, "web_server.py")
        for name, addr, page in (("web4", WEB4, WEB_PAGE), ("web6", WEB6, WEB6_PAGE)):
            www = os.path.join(self.state, name + "-www")
            os.makedirs(www, exist_ok=True)
            with open(os.path.join(www, "index.html"), "w") as f:
                f.write(page)
            self.spawn(i, name, ["/usr/bin/python3", web, addr, "80", www])

        # SLAAC from radvd: the client gets its /64 address and default route.
        self.wait_for("SLAAC on the client", self.client_address, timeout=20)
        if pref64:
            self.send_pref64(PREFIX, 1800)
            self.spawn(r, "pref64", ["/usr/bin/python3", os.path.join(HERE, "pref64_ra.py"), self.lan_r,
                                     os.path.join(self.state, "pref64.txt"), PREF64_ROUTER])
        if clat:
            self.start_clat(clat_args)

    def client_address(self):
        out = self.ex(self.client, f"ip -6 -o addr show dev {self.lan_c} scope global", check=False).stdout
        return out.split()[3].split("/")[0] if out.strip() else ""

    def send_pref64(self, prefix, lifetime, withdraw=None):
        """What the PREF64 advertiser announces from now on: `prefix` with `lifetime`,
        and `withdraw` with lifetime 0 (RFC 8781 §4)."""
        lines = f"{prefix} {lifetime}\n" + (f"{withdraw} 0\n" if withdraw else "")
        path = os.path.join(self.state, "pref64.txt")
        with open(path + ".new", "w") as f:
            f.write(lines)
        os.replace(path + ".new", path)

    def start_clat(self, extra=(), name="clat"):
        args = [self.xlatd, "--mode", "clat", "-d", "-c", os.path.join(self.state, "clatd.conf"),
                "--control-socket", os.path.join(self.state, f"{name}.sock")] + list(extra)
        return self.spawn(self.client, name, args)

    def clat_route(self):
        return "dev clat" in self.ex(self.client, "ip -4 route show default", check=False).stdout

    def down(self):
        for name in ("clat", "clat2", "clat3", "clat4", "clat5", "clat6", "clat7", "plat", "pref64", "iperf3", "radvd", "unbound", "web4", "web6"):
            self.kill(name)
        self.delete_namespaces()
        shutil.rmtree(f"/etc/netns/{self.client}", ignore_errors=True)
        try:
            os.rmdir("/etc/netns")  # only when empty: someone else's namespaces keep theirs
        except OSError:
            pass


def curl(lab, url):
    """(body, the address curl connected to) of an HTTP GET from the client."""
    r = lab.ex(lab.client, f"curl -s --max-time 5 -w \"\\n%{{remote_ip}}\" {url}", check=False)
    body, _, ip = r.stdout.rpartition("\n")
    return body, ip.strip()


def stats_json(lab, which):
    """`xlatd stats --json` of the lab's daemon `which` ("plat", "clat", "clat2", ...)."""
    out = subprocess.run([lab.xlatd, "stats", "--json", "--control-socket", os.path.join(lab.state, f"{which}.sock")],
                         capture_output=True, text=True).stdout
    return json.loads(out)


def stats_total(lab, which):
    """The `total` counters of the lab's `which` daemon ("plat" or "clat")."""
    return stats_json(lab, which)["total"]


def translated_each_way(lab, which):
    """(4to6, 6to4) translations of the lab's `which` daemon: its workers' plus its kernel
    fast path's (on by default in both, carrying the ordinary packets)."""
    j = stats_json(lab, which)
    fp = j.get("fast_path") or {}
    return tuple(j["total"][k] + fp.get(k, 0) for k in ("translated_4to6", "translated_6to4"))


def tcpdump_ready(ns, args):
    """tcpdump in namespace `ns` (stdout piped), returned once it says it is listening:
    from then on it sees every packet, so the caller need not wait for a time."""
    cap = subprocess.Popen(["ip", "netns", "exec", ns, "tcpdump", "--immediate-mode"] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    said = ""
    while "listening on" not in said:
        line = cap.stderr.readline()  # "" once tcpdump has exited
        if not line:
            cap.kill()
            raise RuntimeError(f"tcpdump did not start: {said}")
        said += line
    return cap


def clat_status(lab, which="clat"):
    """The CLAT's last loop turn: {"state", "why", "turns"}; None before it answers."""
    try:
        return stats_json(lab, which)["status"]
    except (ValueError, KeyError):
        return None


def translated(lab, which):
    """Packets translated so far by the lab's `which` daemon ("plat" or "clat"), in its
    workers and in its kernel fast path (where it has one)."""
    j = stats_json(lab, which)
    t, fp = j["total"], j.get("fast_path") or {}
    return (t["translated_4to6"] + t["translated_6to4"] + fp.get("translated_4to6", 0) +
            fp.get("translated_6to4", 0))


def quiet_translated(lab, which, still=0.3, timeout=5):
    """translated() once it has stopped moving for `still` seconds: the count to compare
    against after the next step. curl returns before its connection's last FIN and ACK
    have crossed the translators, so a count read at once may still grow by those."""
    n, deadline = translated(lab, which), time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(still)
        m = translated(lab, which)
        if m == n:
            return n
        n = m
    return n


# --- the demo: what `scripts/lab` shows ----------------------------------------------
def demo_result(title, ok, detail):
    """A demo step's result as the operator reads it, under the title step() printed."""
    return ("   OK  " if ok else "   FAILED  ") + detail.replace("\n", "\n       ")


class Demo:
    """Runs each step (a check of the e2e runner), prints its title, then its result."""

    def __init__(self, lab):
        self.lab = lab
        self.checks = Checks(line=demo_result)

    def step(self, title, fn):
        print(f"\n== {title}", flush=True)
        self.checks.run(title, fn)

    def run(self):
        lab = self.lab
        c = lab.client

        def clat_up():
            lab.wait_for("the CLAT's IPv4 default route", lab.clat_route, timeout=20)
            log = lambda: open(os.path.join(lab.state, "clat.log")).read()  # noqa: E731
            # The PREF64 advertiser repeats every 3 s; DNS64 may have answered first.
            lab.wait_for("the prefix from PREF64", lambda: f"{PREFIX} (PREF64)" in log(), timeout=10)
            lines = [x.split("info: ", 1)[1] for x in log().splitlines()
                     if "CLAT translating" in x or "(PREF64)" in x or "PREF64 " in x]
            return True, "\n".join(lines) + "\n" + lab.ex(c, "ip -4 route show default").stdout.strip()

        def native_v6():
            n_plat, n_clat = quiet_translated(lab, "plat"), quiet_translated(lab, "clat")
            body, ip = curl(lab, "http://web6.lab/")
            same = quiet_translated(lab, "plat") == n_plat and quiet_translated(lab, "clat") == n_clat
            return body == WEB6_PAGE and ip == WEB6 and same, \
                f"curl http://web6.lab/ -> {ip}: {body.strip()!r}; translated by PLAT/CLAT: {'none' if same else 'some!'}"

        def literal_v4():
            body, ip = curl(lab, f"http://{WEB4}/")
            seen = open(os.path.join(lab.state, "web4.log")).read().strip().splitlines()
            src = seen[-1].split()[0] if seen else "?"
            return body == WEB_PAGE and ip == WEB4 and src == WAN4, \
                f"curl http://{WEB4}/ -> {body.strip()!r}\nthe server saw the request from {src} " \
                f"(the PLAT's NAT44 address; the client is 192.0.0.1 behind CLAT -> PLAT -> NAT44)"

        def dns64_name():
            n_clat = quiet_translated(lab, "clat")
            body, ip = curl(lab, "http://web4.lab/")
            aaaa = lab.ex(c, "getent ahostsv6 web4.lab", check=False).stdout.split()
            return body == WEB_PAGE and ip == v6_of(WEB4) and quiet_translated(lab, "clat") == n_clat, \
                f"web4.lab AAAA (synthesized by unbound dns64): {aaaa[0] if aaaa else '?'}\n" \
                f"curl http://web4.lab/ -> {ip}: {body.strip()!r}; through the PLAT only (CLAT untouched)"

        def traceroute():
            out = lab.ex(c, f"traceroute -n -q 1 -w 1 -m 6 {WEB4}", check=False, timeout=30).stdout.strip()
            hops = [h.split()[1] if len(h.split()) > 1 else "*" for h in out.splitlines()[1:]]
            # Each translator answers for itself, in order, and the last hop is the server.
            ok = bool(hops) and hops[0] == "192.0.0.2" and "192.168.255.1" in hops and hops[-1] == WEB4 and \
                hops.index("192.168.255.1") < len(hops) - 1
            return ok, out + (
                "\n(192.0.0.2 is the CLAT: hop 1 expires in it; hops 2-3 are the client's and the router's own "
                "IPv6 forwarding, whose addresses have no IPv4 form, so their errors carry the CLAT's address "
                "(RFC 6791). 192.168.255.1 is the PLAT, 203.0.113.1 its NAT44 router.)")

        def ping():
            before = {w: translated_each_way(lab, w) for w in ("clat", "plat")}
            out = lab.ex(c, f"ping -c 5 -i 0.2 {WEB4}", check=False).stdout.strip().splitlines()
            summary = "\n".join(out[-2:])
            # The five requests and five replies crossed both translators, and their
            # counters say so (each grows by at least 5 each way: other traffic may add).
            grew = lambda: all(  # noqa: E731
                translated_each_way(lab, w)[k] - before[w][k] >= 5 for w in ("clat", "plat") for k in (0, 1))
            lab.wait_for("both daemons' counters to count the pings", grew, timeout=5)  # raises: step fails
            return " 0% packet loss" in summary, summary + "\ncounted by the CLAT and the PLAT both ways"

        def throughput():
            import json
            lab.spawn(lab.inet, "iperf3", ["iperf3", "-s", "-B", WEB4, "-1"])
            lab.wait_for("iperf3 listening", lambda: ":5201" in lab.ex(lab.inet, "ss -Htln sport = :5201").stdout)
            r = lab.ex(c, f"iperf3 -c {WEB4} -t 3 -J", check=False, timeout=30)
            j = json.loads(r.stdout)
            bps = j["end"]["sum_received"]["bits_per_second"]
            got = j["end"]["sum_received"]["bytes"]
            # Three seconds of a TCP stream: megabytes, not a trickle that bps > 0 allowed.
            return got >= (8 << 20), f"{got >> 20} MiB received; iperf3 TCP, 1 stream, 3 s, client -> IPv4 server through CLAT + PLAT + NAT44: " \
                            f"{bps / 1e9:.2f} Gbit/s (this machine: {os.cpu_count()} CPUs, shared by everything)"

        def counters():
            out = []
            for which in ("clat", "plat"):
                out.append(f"--- xlatd stats ({which})")
                out.append(subprocess.run([lab.xlatd, "stats", "--control-socket",
                                           os.path.join(lab.state, f"{which}.sock")],
                                          capture_output=True, text=True).stdout.rstrip())
            # Each daemon answered with its table (the ping step checked the values).
            return all("translated_6to4" in o for o in out[1::2]), "\n".join(out)

        self.step("CLAT up on the client (prefix from PREF64, checksum-neutral address)", clat_up)
        self.step("Native IPv6 is not translated", native_v6)
        self.step("IPv4 literal through CLAT -> PLAT -> NAT44", literal_v4)
        self.step("A name with only an A record, through DNS64 and the PLAT", dns64_name)
        self.step("traceroute across both translators", traceroute)
        self.step("ping", ping)
        self.step("TCP throughput", throughput)
        self.step("Counters of both daemons", counters)
        return self.checks.failures()


def main():
    import argparse
    ap = argparse.ArgumentParser(description="The 464XLAT lab (see the module docstring).")
    ap.add_argument("command", nargs="?", default="up", choices=["up", "down"])
    ap.add_argument("--xlatd", default=os.path.join(HERE, "..", "..", "build-release", "xlatd"))
    ap.add_argument("--state", default="/run/xlatd-lab")
    ap.add_argument("--tag", default="xl")
    ap.add_argument("--check", action="store_true", help="tear down afterwards; exit 1 if a step failed")
    ap.add_argument("--fast-path", choices=("yes", "no"), default="yes",
                    help="no: the PLAT and the CLAT run with their kernel fast paths off")
    args = ap.parse_args()
    cannot = needs_root_and_tun("the lab and its checks")
    if cannot is not None:
        return cannot
    lab = Lab464(os.path.abspath(args.xlatd), args.state, tag=args.tag,
                 fast_path=args.fast_path == "yes")
    if args.command == "down":
        lab.down()
        shutil.rmtree(args.state, ignore_errors=True)
        print(f"lab removed: namespaces {lab.client}, {lab.router}, {lab.inet} and {args.state}")
        return 0
    os.makedirs(args.state, exist_ok=True)
    print(__doc__.split("Only addresses")[0].rstrip())
    print(f"\n== Building the lab in namespaces {lab.client}, {lab.router}, {lab.inet} (state in {args.state})")
    lab.up()
    failures = Demo(lab).run()
    if args.check:
        lab.kill("iperf3")
        lab.down()
        shutil.rmtree(args.state, ignore_errors=True)
    else:
        print(f"\nThe lab stays up. Try:\n  ip netns exec {lab.client} curl http://web4.lab/\n"
              f"  ip netns exec {lab.client} ping 203.0.113.2\n"
              f"  xlatd stats --control-socket {args.state}/clat.sock\n"
              f"Remove it with: scripts/lab down")
    print(f"\n{len(failures)} step(s) failed" + (": " + ", ".join(failures) if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
