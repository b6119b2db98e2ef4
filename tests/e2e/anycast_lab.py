#!/usr/bin/python3
"""A cluster of stateless PLATs behind BGP anycast and ECMP (RFC 7755 §4's scale-out), in
network namespaces, with BIRD 2 as every router's and every PLAT's routing daemon.

    h6 -- ar ==(ECMP)== plat1..N ==(ECMP)== v4r -- h4

- h6: the IPv6-only customer (2001:db8:1::2 and ::3); ar: its access router.
- platK: xlatd from one tayga.conf (the same file on every PLAT in EAM mode; in pool mode
  a dynamic pool, masqueraded by nftables to the PLAT's own public address). BIRD there
  announces the NAT64 prefix to ar and the IPv4 side (the EAM range, or its public
  address) to v4r, from static routes through the TUN
  ("via nat64"): while xlatd runs its non-persistent TUN exists and the routes are
  announced; when xlatd dies the TUN goes with it and BIRD withdraws both at once. No
  script watches the process.
- ar and v4r install the announcements as multipath routes (BIRD's kernel protocol,
  `merge paths`); ar hashes on the IPv6 source only (fib_multipath_hash_policy 3,
  fields 0x1), so one customer's flows stay on one PLAT while it is up.
- v4r: the IPv4 side's router; h4: an IPv4-only server (198.51.100.2).

    /usr/bin/python3 tests/e2e/anycast_lab.py up [--plats 2] [--mode eam|pool] [--bfd] [--xlatd PATH]
    /usr/bin/python3 tests/e2e/anycast_lab.py down
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netns_lab import NamespaceLab, sh  # noqa: E402

PREFIX = "2001:db8:64::/96"
H6 = ["2001:db8:1::2", "2001:db8:1::3"]
H4 = "198.51.100.2"
# One EAM block (RFC 7757) for the customers' /122: 2001:db8:1::N is 192.0.2.(64 + N).
EAM = ("192.0.2.64/26", "2001:db8:1::/122")
AS_AR, AS_V4R = 65000, 64900


def nat64(v4):
    """The RFC 6052 /96 address of `v4` under PREFIX."""
    a, b, c, d = (int(x) for x in v4.split("."))
    return f"2001:db8:64::{a * 256 + b:x}:{c * 256 + d:x}"


# Pool mode: every PLAT maps its customers into the same private pool and masquerades it
# (NAT44) to a public address of its own, which only it announces.
POOL = "192.168.255.0/24"


def public_of(k):
    """PLAT k's own public IPv4 address in pool mode (NAT44's source, announced by it alone)."""
    return f"203.0.113.{k}/32"


class AnycastLab(NamespaceLab):
    def __init__(self, plats=2, mode="eam", xlatd="xlatd", tag="xa", state=None, bfd=False):
        self.n, self.mode, self.xlatd, self.tag, self.bfd = plats, mode, xlatd, tag, bfd
        self.state = state or os.path.join(tempfile.gettempdir(), f"xlatd-anycast-{tag}")
        self.h6, self.ar, self.v4r, self.h4 = (f"{tag}-h6", f"{tag}-ar", f"{tag}-v4r", f"{tag}-h4")
        self.plats = [f"{tag}-plat{k}" for k in range(1, plats + 1)]
        super().__init__(self.h6, self.ar, *self.plats, self.v4r, self.h4)

    # --- configuration -------------------------------------------------------------
    def tayga_conf(self, k):
        """One file for every PLAT in EAM mode; in pool mode each has its own pool."""
        lines = ["tun-device nat64", "ipv4-addr 192.0.2.1", f"prefix {PREFIX}",
                 f"data-dir {os.path.join(self.state, f'plat{k}-data')}", "tun-up yes", f"tun-route {PREFIX}"]
        if self.mode == "eam":
            lines += [f"map {EAM[0]} {EAM[1]}", "tun-route 192.0.2.0/24"]
        else:
            lines += [f"dynamic-pool {POOL}", f"tun-route {POOL}", "tun-route 192.0.2.1/32"]
        path = os.path.join(self.state, "tayga.conf" if self.mode == "eam" else f"tayga-{k}.conf")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def bgp_template(self):
        """Timers shortened for a lab (hold 9 s); with BFD, a session falls in 0.3 s."""
        bfd = ("protocol bfd { interface \"*\" { min rx interval 100 ms; min tx interval 100 ms; "
               "multiplier 3; }; }\n") if self.bfd else ""
        return bfd + ("template bgp fast {\n  connect delay time 1; connect retry time 1; error wait time 1, 5; "
                      f"hold time 9; keepalive time 3;{' bfd on;' if self.bfd else ''}\n}}")

    def freeze(self, k):
        """PLAT k hangs as a whole box: nothing leaves it (BGP, BFD, forwarded packets),
        its links stay up, so nobody withdraws anything for it."""
        self.ex(self.plats[k - 1], "nft 'add table inet freeze; "
                "add chain inet freeze o { type filter hook output priority 0; policy drop; }; "
                "add chain inet freeze f { type filter hook forward priority 0; policy drop; }'")

    def bird_plat(self, k):
        """PLAT k: the NAT64 prefix to ar, its IPv4 side to v4r, only through the TUN."""
        v4 = "192.0.2.0/24" if self.mode == "eam" else public_of(k)
        v4_extra = "" if self.mode == "eam" else '  route 192.0.2.1/32 via "nat64";\n'
        return f"""router id 10.0.{k}.2;
protocol device {{ scan time 2; }}
protocol static nat64_v6 {{ ipv6; route {PREFIX} via "nat64"; }}
protocol static nat64_v4 {{ ipv4;
  route {v4} via "nat64";
{v4_extra}}}
{self.bgp_template()}
protocol bgp to_ar from fast {{
  local 2001:db8:a:{k}::2 as {65000 + k}; neighbor 2001:db8:a:{k}::1 as {AS_AR};
  ipv6 {{ import none; export where proto = "nat64_v6"; }};
}}
protocol bgp to_v4r from fast {{
  local 10.0.{k}.2 as {65000 + k}; neighbor 10.0.{k}.1 as {AS_V4R};
  ipv4 {{ import none; export where proto = "nat64_v4"; }};
}}
"""

    def bird_router(self, name, family, router_id, asn, peers):
        """ar or v4r: what the PLATs announce, into the kernel as one multipath route."""
        sessions = "".join(
            f"""protocol bgp plat{k} from fast {{
  local {local} as {asn}; neighbor {peer} as {65000 + k};
  {family} {{ import all; export none; }};
}}
""" for k, local, peer in peers)
        return f"""router id {router_id};
protocol device {{ scan time 2; }}
protocol kernel {{ {family} {{ import none; export all; }}; merge paths on; }}
{self.bgp_template()}
{sessions}"""

    def bird(self, ns, name, conf):
        path = os.path.join(self.state, f"{name}.bird.conf")
        with open(path, "w") as f:
            f.write(conf)
        self.spawn(ns, f"{name}-bird", ["bird", "-f", "-c", path, "-s", os.path.join(self.state, f"{name}.ctl")])

    def birdc(self, name, cmd):
        return sh(f"birdc -s {os.path.join(self.state, name + '.ctl')} {cmd}", check=False).stdout

    # --- the lab -------------------------------------------------------------------
    def up(self):
        self.down()
        os.makedirs(self.state, exist_ok=True)
        self.add_namespaces()
        t = self.tag
        self.veth(f"{t}h", self.h6, f"{t}a", self.ar)
        self.ex(self.h6, f"ip addr add {H6[0]}/64 dev {t}h nodad && ip addr add {H6[1]}/64 dev {t}h nodad && "
                         f"ip link set {t}h up && ip -6 route add default via 2001:db8:1::1")
        self.ex(self.ar, f"ip addr add 2001:db8:1::1/64 dev {t}a nodad && ip link set {t}a up && "
                         "sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.fib_multipath_hash_policy=3 "
                         "net.ipv6.fib_multipath_hash_fields=1")
        self.veth(f"{t}s", self.v4r, f"{t}4", self.h4)
        self.ex(self.v4r, f"ip addr add 198.51.100.1/24 dev {t}s && ip link set {t}s up && "
                          "sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1")
        self.ex(self.h4, f"ip addr add {H4}/24 dev {t}4 && ip link set {t}4 up && "
                         "ip route add default via 198.51.100.1")
        for k, ns in enumerate(self.plats, 1):
            self.veth(f"{t}a{k}", self.ar, f"{t}u", ns)
            self.veth(f"{t}w", ns, f"{t}b{k}", self.v4r)
            self.ex(self.ar, f"ip addr add 2001:db8:a:{k}::1/64 dev {t}a{k} nodad && ip link set {t}a{k} up")
            self.ex(self.v4r, f"ip addr add 10.0.{k}.1/24 dev {t}b{k} && ip link set {t}b{k} up")
            self.ex(ns, f"ip addr add 2001:db8:a:{k}::2/64 dev {t}u nodad && ip link set {t}u up && "
                        f"ip addr add 10.0.{k}.2/24 dev {t}w && ip link set {t}w up && "
                        f"ip -6 route add 2001:db8:1::/64 via 2001:db8:a:{k}::1 && "
                        f"ip route add 198.51.100.0/24 via 10.0.{k}.1 && "
                        "sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1")
            if self.mode == "pool":
                # NAT44 of the pool to this PLAT's own public address, as TAYGA sites do.
                self.ex(ns, f"nft 'add table ip nat44; add chain ip nat44 post {{ type nat hook postrouting "
                            f"priority 100; }}; add rule ip nat44 post oifname {t}w ip saddr {POOL} "
                            f"snat to {public_of(k).split('/')[0]}'")
            os.makedirs(os.path.join(self.state, f"plat{k}-data"), exist_ok=True)
            self.bird(ns, f"plat{k}", self.bird_plat(k))
            self.start_xlatd(k)
        self.bird(self.ar, "ar", self.bird_router(
            "ar", "ipv6", "10.255.0.1", AS_AR,
            [(k, f"2001:db8:a:{k}::1", f"2001:db8:a:{k}::2") for k in range(1, self.n + 1)]))
        self.bird(self.v4r, "v4r", self.bird_router(
            "v4r", "ipv4", "10.255.0.2", AS_V4R,
            [(k, f"10.0.{k}.1", f"10.0.{k}.2") for k in range(1, self.n + 1)]))
        self.wait_for(f"the NAT64 prefix via all {self.n} PLATs on ar", lambda: len(self.paths()) == self.n, 30)
        self.wait_for(f"the IPv4 side via all {self.n} PLATs on v4r",
                      lambda: all(len(self.v4_paths(k)) == (self.n if self.mode == "eam" else 1)
                                  for k in range(1, self.n + 1)), 30)

    def start_xlatd(self, k):
        conf = self.tayga_conf(k)
        self.spawn(self.plats[k - 1], f"xlatd{k}",
                   [self.xlatd, "-n", "--stdout", "-c", conf, "--control-socket", self.control(k)], append=True)

    def control(self, k):
        return os.path.join(self.state, f"plat{k}.sock")

    def paths(self):
        """The PLATs (by number) ar's kernel route for the NAT64 prefix points to."""
        out = self.ex(self.ar, f"ip -6 route show {PREFIX}", check=False).stdout
        return sorted(int(w.split("::")[0].rsplit(":", 1)[1]) for w in out.split() if w.startswith("2001:db8:a:"))

    def v4_paths(self, k):
        """The next hops v4r's route for PLAT k's IPv4 side has (EAM: the shared range)."""
        net = "192.0.2.0/24" if self.mode == "eam" else public_of(k)
        out = self.ex(self.v4r, f"ip route show {net}", check=False).stdout
        return [w for w in out.split() if w.startswith("10.0.")]

    def translated(self, k):
        """Packets PLAT k translated each way so far (workers and kernel fast path), or None."""
        r = subprocess.run([self.xlatd, "stats", "--json", "--control-socket", self.control(k)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None
        s = json.loads(r.stdout)
        fp = s.get("fast_path") or {}
        return (s["total"]["translated_6to4"] + fp.get("translated_6to4", 0),
                s["total"]["translated_4to6"] + fp.get("translated_4to6", 0))

    def sources_on_distinct_plats(self, want=2):
        """{PLAT: a source address of h6 whose traffic ar hashes onto it}: more source
        addresses, each pinged once, until `want` PLATs have one."""
        placed = {}
        for i in range(2, 64):
            src = f"2001:db8:1::{i:x}"
            self.ex(self.h6, f"ip addr add {src}/64 dev {self.tag}h nodad", check=False)
            before = {k: self.translated(k) for k in range(1, self.n + 1)}
            self.ex(self.h6, f"ping -n -c 1 -W 2 -I {src} {nat64(H4)}", check=False)
            now = {k: self.translated(k) for k in before}
            grown = [k for k in before if now[k] and before[k] and now[k][0] > before[k][0]]
            if len(grown) == 1 and grown[0] not in placed:
                placed[grown[0]] = src
            if len(placed) == want:
                break
        return placed

    def delete_namespaces(self):
        """All of this tag's namespaces, however many PLATs the lab was brought up with."""
        listed = sh("ip netns list", check=False).stdout.split()
        for ns in sorted(set(self.namespaces) | {w for w in listed if w.startswith(f"{self.tag}-")}):
            sh(f"ip netns del {ns}", check=False)

    def down(self):
        if os.path.isdir(self.state):
            for f in os.listdir(self.state):
                if f.endswith(".pid"):
                    self.kill(f[:-4], signal.SIGKILL, timeout=5)
        self.delete_namespaces()
        shutil.rmtree(self.state, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["up", "down"])
    ap.add_argument("--plats", type=int, default=2)
    ap.add_argument("--mode", choices=["eam", "pool"], default="eam")
    ap.add_argument("--bfd", action="store_true", help="BFD beside every BGP session")
    ap.add_argument("--xlatd", default=shutil.which("xlatd") or "xlatd")
    a = ap.parse_args()
    lab = AnycastLab(a.plats, a.mode, os.path.abspath(a.xlatd) if os.path.exists(a.xlatd) else a.xlatd, bfd=a.bfd)
    if a.cmd == "down":
        lab.down()
        return 0
    lab.up()
    print(f"anycast lab up: {a.plats} PLATs ({a.mode}); ar's route: "
          + lab.ex(lab.ar, f"ip -6 route show {PREFIX}").stdout.strip().replace("\n", " "))
    print(f"try: ip netns exec {lab.h6} ping {nat64(H4)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
