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
import os
import shutil
import signal
import subprocess
import time

PREFIX = "2001:db8:64::/96"
POOL = "192.168.255.0/24"
WAN4 = "203.0.113.1"
WEB4 = "203.0.113.2"
WEB6 = "2001:db8:2::2"
LAN_ROUTER = "2001:db8:1::1"
PREF64_ROUTER = "fe80::64"  # the crafted PREF64 RAs come from this "router"


def sh(cmd, check=True, timeout=60):
    r = subprocess.run(cmd, shell=True, text=True, timeout=timeout, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    if check and r.returncode != 0:
        raise RuntimeError(f"command failed ({r.returncode}): {cmd}\n{r.stdout}")
    return r


def v6_of(v4, prefix=PREFIX):
    """The RFC 6052 /96 address of an IPv4 address."""
    a, b, c, d = (int(x) for x in v4.split("."))
    return f"{prefix.split('/')[0]}{a * 256 + b:x}:{c * 256 + d:x}"


TAYGA_CONF = """# the PLAT's tayga.conf (plain TAYGA syntax)
tun-device nat64
ipv4-addr 192.168.255.1
prefix {prefix}
dynamic-pool {pool}
data-dir {state}/plat
"""

RADVD_CONF = """interface {lan} {{
  AdvSendAdvert on;
  MinRtrAdvInterval 3;
  MaxRtrAdvInterval 10;
  prefix 2001:db8:1::/64 {{ AdvOnLink on; AdvAutonomous on; }};
  RDNSS 2001:db8:1::1 {{ }};
}};
"""

UNBOUND_CONF = """server:
  interface: 2001:db8:1::1
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "{state}"
  pidfile: ""
  use-syslog: no
  logfile: "{state}/unbound.log"
  access-control: 2001:db8:1::/64 allow
  module-config: "dns64 iterator"
  dns64-prefix: {prefix}
  do-not-query-localhost: no
  auto-trust-anchor-file: ""
  domain-insecure: "arpa."
  domain-insecure: "lab."
# The zones a resolver would learn from the Internet, served as if from upstream so
# the dns64 module synthesizes AAAA records from them (RFC 7050's ipv4only.arpa too).
auth-zone:
  name: "ipv4only.arpa."
  zonefile: "{state}/ipv4only.arpa.zone"
  for-upstream: yes
  for-downstream: no
  fallback-enabled: no
auth-zone:
  name: "lab."
  zonefile: "{state}/lab.zone"
  for-upstream: yes
  for-downstream: no
  fallback-enabled: no
"""

IPV4ONLY_ZONE = """$ORIGIN ipv4only.arpa.
$TTL 3600
@ IN SOA ns.ipv4only.arpa. hostmaster.ipv4only.arpa. 1 3600 600 86400 3600
@ IN NS ns.ipv4only.arpa.
ns IN AAAA 2001:db8:1::1
@ IN A 192.0.0.170
@ IN A 192.0.0.171
"""

LAB_ZONE = """$ORIGIN lab.
$TTL 300
@ IN SOA ns.lab. hostmaster.lab. 1 3600 600 86400 300
@ IN NS ns.lab.
ns IN AAAA 2001:db8:1::1
web4 IN A {web4}
web6 IN AAAA {web6}
"""

WEB_PAGE = "hello from the IPv4-only web server\n"


class Lab464:
    def __init__(self, xlatd, state, tag="xl"):
        self.xlatd = xlatd
        self.state = state
        self.tag = tag
        self.client, self.router, self.inet = f"{tag}-client", f"{tag}-router", f"{tag}-inet"
        self.lan_c, self.lan_r = f"{tag}c0", f"{tag}r0"  # client <-> router
        self.wan_r, self.wan_i = f"{tag}r1", f"{tag}i0"  # router <-> inet

    # --- helpers -------------------------------------------------------------------
    def ex(self, ns, cmd, check=True, timeout=60):
        return sh(f"ip netns exec {ns} sh -c '{cmd}'", check=check, timeout=timeout)

    def spawn(self, ns, name, argv):
        """A long-running process in `ns`, detached, its pid in STATE/NAME.pid."""
        log = open(os.path.join(self.state, f"{name}.log"), "w")
        p = subprocess.Popen(["ip", "netns", "exec", ns] + argv, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        with open(os.path.join(self.state, f"{name}.pid"), "w") as f:
            f.write(f"{p.pid}\n")
        return p

    def kill(self, name, sig=signal.SIGTERM, timeout=10):
        """Stops the process STATE/NAME.pid names (ours or one a previous run left)."""
        path = os.path.join(self.state, f"{name}.pid")
        try:
            pid = int(open(path).read())
        except (OSError, ValueError):
            return None
        status = None
        try:
            os.kill(pid, sig)
            deadline = time.time() + timeout
            while time.time() < deadline:
                try:
                    done, st = os.waitpid(pid, os.WNOHANG)
                    if done == pid:
                        status = os.waitstatus_to_exitcode(st)
                        break
                except ChildProcessError:  # not our child: poll for it to vanish
                    os.kill(pid, 0)
                time.sleep(0.05)
            else:
                os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.unlink(path)
        return status

    def wait_for(self, what, fn, timeout=15.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if fn():
                return True
            time.sleep(0.1)
        raise RuntimeError(f"timed out waiting for {what}")

    # --- building ------------------------------------------------------------------
    def up(self, clat=True, clat_args=(), pref64=True):
        self.down()
        os.makedirs(os.path.join(self.state, "plat"), exist_ok=True)
        for ns in (self.client, self.router, self.inet):
            sh(f"ip netns add {ns}")
            self.ex(ns, "ip link set lo up")
            # No duplicate address detection: it would hold the first packets ~2 s.
            self.ex(ns, "sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0")
        sh(f"ip link add {self.lan_c} netns {self.client} type veth peer name {self.lan_r} netns {self.router}")
        sh(f"ip link add {self.wan_r} netns {self.router} type veth peer name {self.wan_i} netns {self.inet}")
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

        # PLAT: xlatd from a plain tayga.conf; the pool is masqueraded behind the WAN address.
        with open(os.path.join(self.state, "tayga.conf"), "w") as f:
            f.write(TAYGA_CONF.format(prefix=PREFIX, pool=POOL, state=self.state))
        self.spawn(r, "plat", [self.xlatd, "-d", "-c", os.path.join(self.state, "tayga.conf"),
                               "--control-socket", os.path.join(self.state, "plat.sock")])
        self.wait_for("the PLAT's TUN", lambda: self.ex(r, "ip link show nat64", check=False).returncode == 0)
        self.ex(r, f"ip link set nat64 up && ip route add {POOL} dev nat64 && ip -6 route add {PREFIX} dev nat64")
        nft = (f"table ip xlat_lab {{\n  chain post {{\n    type nat hook postrouting priority srcnat;\n"
               f"    ip saddr {POOL} oifname \"{self.wan_r}\" masquerade\n  }}\n}}")
        with open(os.path.join(self.state, "nat44.nft"), "w") as f:
            f.write(nft + "\n")
        self.ex(r, f"nft -f {self.state}/nat44.nft")

        # DNS64 resolver and router advertisements.
        for name, text in (("ipv4only.arpa.zone", IPV4ONLY_ZONE), ("lab.zone", LAB_ZONE.format(web4=WEB4, web6=WEB6)),
                           ("unbound.conf", UNBOUND_CONF.format(state=self.state, prefix=PREFIX)),
                           ("radvd.conf", RADVD_CONF.format(lan=self.lan_r))):
            with open(os.path.join(self.state, name), "w") as f:
                f.write(text)
        self.spawn(r, "unbound", ["unbound", "-d", "-c", os.path.join(self.state, "unbound.conf")])
        self.spawn(r, "radvd", ["radvd", "-n", "-C", os.path.join(self.state, "radvd.conf"),
                                "-p", os.path.join(self.state, "radvd.pid.file"), "-m", "stderr"])

        # The "Internet": an IPv4-only and an IPv6 web server.
        www = os.path.join(self.state, "www")
        os.makedirs(www, exist_ok=True)
        with open(os.path.join(www, "index.html"), "w") as f:
            f.write(WEB_PAGE)
        web = os.path.join(os.path.dirname(os.path.abspath(__file__)), "web_server.py")
        self.spawn(i, "web4", ["/usr/bin/python3", web, WEB4, "80", www])
        self.spawn(i, "web6", ["/usr/bin/python3", web, WEB6, "80", www])

        # SLAAC from radvd: the client gets its /64 address and default route.
        self.wait_for("SLAAC on the client", self.client_address, timeout=20)
        if pref64:
            self.send_pref64(PREFIX, 1800)
            here = os.path.dirname(os.path.abspath(__file__))
            self.spawn(r, "pref64", ["/usr/bin/python3", os.path.join(here, "pref64_ra.py"), self.lan_r,
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
        args = [self.xlatd, "--mode", "clat", "-d", "--control-socket", os.path.join(self.state, f"{name}.sock"),
                "v4-conncheck-delay=0"] + list(extra)
        return self.spawn(self.client, name, args)

    def clat_route(self):
        return "dev clat" in self.ex(self.client, "ip -4 route show default", check=False).stdout

    def down(self):
        for name in ("clat", "clat2", "plat", "pref64", "radvd", "unbound", "web4", "web6"):
            self.kill(name)
        for ns in (self.client, self.router, self.inet):
            sh(f"ip netns del {ns}", check=False)
        shutil.rmtree(f"/etc/netns/{self.client}", ignore_errors=True)
