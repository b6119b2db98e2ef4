"""Network namespaces for end-to-end tests: an IPv6-only host, the translator box and an
IPv4-only host, joined by veth pairs the lab creates and deletes itself.

    ns6 (2001:db8:1::2, ::10, ::20, ::21)  --veth--  nsx  --veth--  ns4 (198.51.100.2)
                                          2001:db8:1::1   198.51.100.1
                                          TUN nat64: 2001:db8:64::/96, 192.168.255.0/24

Only addresses inside these namespaces are ever used.
"""
import os
import signal
import subprocess

from netns_lab import NamespaceLab


PREFIX = "2001:db8:64::"


def v6_of(v4, prefix=PREFIX):
    """The RFC 6052 /96 address of an IPv4 address under `prefix` ("X::" or "X::/96")."""
    a, b, c, d = (int(x) for x in v4.split("."))
    return f"{prefix.split('/')[0]}{a * 256 + b:x}:{c * 256 + d:x}"


class Lab(NamespaceLab):
    def __init__(self, tag):
        self.tag = tag
        self.ns6, self.nsx, self.ns4 = f"e6{tag}", f"ex{tag}", f"e4{tag}"
        super().__init__(self.ns6, self.nsx, self.ns4)
        self.procs = []

    def up(self, v4_mtu=1500):
        self.down()
        self.add_namespaces()
        self.veth(f"a6{self.tag}", self.ns6, f"b6{self.tag}", self.nsx)
        self.veth(f"a4{self.tag}", self.ns4, f"b4{self.tag}", self.nsx)
        e6, e4 = self.ex, self.ex
        e6(self.ns6, f"ip link set a6{self.tag} up")
        for a in ("2001:db8:1::2/64", "2001:db8:1::10/64", "2001:db8:1::20/64", "2001:db8:1::21/64"):
            e6(self.ns6, f"ip addr add {a} dev a6{self.tag} nodad")
        e6(self.ns6, "ip -6 route add default via 2001:db8:1::1")
        self.ex(self.nsx, f"ip link set b6{self.tag} up")
        self.ex(self.nsx, f"ip addr add 2001:db8:1::1/64 dev b6{self.tag} nodad")
        self.ex(self.nsx, f"ip link set b4{self.tag} up")
        self.ex(self.nsx, f"ip link set b4{self.tag} mtu {v4_mtu}")
        self.ex(self.nsx, f"ip addr add 198.51.100.1/24 dev b4{self.tag}")
        self.ex(self.nsx, "sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1")
        e4(self.ns4, f"ip link set a4{self.tag} up")
        e4(self.ns4, f"ip link set a4{self.tag} mtu {v4_mtu}")
        e4(self.ns4, f"ip addr add 198.51.100.2/24 dev a4{self.tag}")
        e4(self.ns4, "ip route add 192.168.255.0/24 via 198.51.100.1")

    def route_tun(self, dev="nat64", timeout=10.0, prefix=PREFIX + "/96"):
        """Waits for the translator's TUN and routes the prefix and the pool into it."""
        self.wait_for(f"TUN {dev}", lambda: self.ex(self.nsx, f"ip link show {dev}", check=False).returncode == 0,
                      timeout)
        self.ex(self.nsx, f"ip link set {dev} up")
        self.ex(self.nsx, f"ip route replace 192.168.255.0/24 dev {dev}")
        self.ex(self.nsx, f"ip -6 route replace {prefix} dev {dev}")

    def wait_until_translating(self, proc, log, timeout=10.0):
        """Waits for xlatd's "translating on" line (or its exit): its own TUN is open. A TUN
        of a daemon stopped just before lingers a moment (its io_uring is torn down by a
        kernel worker after the process is gone), and route_tun must not take that one for
        the new one. The caller looks at proc afterwards."""
        try:
            self.wait_for("translating on", lambda: "translating on" in open(log).read() or proc.poll() is not None,
                          timeout)
        except RuntimeError:
            pass

    def wait_for_gone(self, dev, timeout=10.0):
        """Waits until the device `dev` no longer exists in the translator namespace."""
        self.wait_for(f"{dev} to go after its owner died",
                      lambda: self.ex(self.nsx, f"ip link show {dev}", check=False).returncode != 0, timeout)

    def start(self, argv, log, ns=None):
        """Starts a daemon inside the translator namespace (or `ns`)."""
        f = open(log, "w")
        p = subprocess.Popen(["ip", "netns", "exec", ns or self.nsx] + argv, stdout=f, stderr=subprocess.STDOUT,
                             start_new_session=True)
        self.procs.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM, timeout=10):
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        if p in self.procs:
            self.procs.remove(p)
        return p.returncode

    def down(self):
        for p in list(self.procs):
            self.stop(p, signal.SIGKILL)
        self.delete_namespaces()
