#!/usr/bin/python3
"""End-to-end tests of xlatd as a PLAT: IPv6 host <-> xlatd <-> IPv4 host, in network
namespaces this script creates and deletes. The same tayga.conf also runs under TAYGA
(Debian's package) through the same checks, to show drop-in compatibility side by side.

Usage: test_plat.py --xlatd PATH [--only NAME[,NAME...]] [--keep]
Prints one line per check and "N passed, N failed"; exits 77 (skipped) when not root
or without /dev/net/tun.
"""
import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402
from runner import Checks, needs_root_and_tun, skipped, under_ci  # noqa: E402

V4_HOST = "198.51.100.2"
V4_HOST_AS_V6 = lab.v6_of(V4_HOST)
TRANSLATOR_V6 = lab.v6_of("192.168.255.1")  # ipv6-addr derived from prefix + ipv4-addr
PY = "/usr/bin/python3"

BASE_CONF = """# the lab's tayga.conf: valid for TAYGA 0.9.2 and xlatd alike
tun-device nat64
ipv4-addr 192.168.255.1
prefix 2001:db8:64::/96
dynamic-pool 192.168.255.0/24
data-dir {data}
map 192.168.255.10 2001:db8:1::10
"""


class Translator:
    """One translator under test: xlatd (with N workers) or TAYGA."""

    def __init__(self, kind, workers, xlatd, workdir, fast_path=True, tag=""):
        self.kind, self.workers, self.xlatd = kind, workers, xlatd
        self.name = f"{kind}" + (f" workers={workers}" if kind == "xlatd" else "") + (
            " fp-forward" if fast_path == "forward" else "" if fast_path else " no-fp")
        self.dir = tempfile.mkdtemp(prefix=f"e2e-{kind}{workers}-", dir=workdir)
        self.data = os.path.join(self.dir, "data")
        os.makedirs(self.data)
        self.conf = os.path.join(self.dir, "tayga.conf")
        text = BASE_CONF.format(data=self.data)
        if kind == "xlatd":
            # The kernel fast path is on by default; one run has it off (`fast-path no`).
            text += f"workers {workers}\nmap-file maps.conf\nmetrics-listen {19460 + workers}\n"
            text += "" if fast_path else "fast-path no\n"
            if fast_path == "forward":
                # The fast path on both uplinks' ingress too, sending out of them directly.
                text += f"fast-path-ingress b6{tag} b4{tag}\nfast-path-forward yes\n"
            self.metrics_port = 19460 + workers
            with open(os.path.join(self.data, "maps.conf"), "w") as f:
                f.write("map 192.168.255.20 2001:db8:1::20\n")
        with open(self.conf, "w") as f:
            f.write(text)
        self.proc = None
        self.log = os.path.join(self.dir, "daemon.log")
        self.control = os.path.join(self.dir, "control.sock")

    def argv(self):
        if self.kind == "xlatd":
            return [self.xlatd, "-d", "-c", self.conf, "--control-socket", self.control]
        return [shutil.which("tayga") or "/usr/sbin/tayga", "-d", "-c", self.conf]

    def start(self, L, extra=()):
        self.proc = L.start(self.argv() + list(extra), self.log)
        if self.kind == "xlatd":
            L.wait_until_translating(self.proc, self.log)
        L.route_tun()
        if self.kind != "xlatd":
            # TAYGA says nothing when it is ready; it is once it sleeps in its main loop's
            # poll() (`ip netns exec` execs it, so the pid is TAYGA's own).
            wait_for(lambda: self.proc.poll() is not None or "poll" in read_or_empty(f"/proc/{self.proc.pid}/wchan"), 10)
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited: {open(self.log).read()}")

    def stop(self, L):
        if self.proc is not None:
            L.stop(self.proc)
            self.proc = None


def ping(L, ns, dst, count=3, extra=""):
    return L.ex(ns, f"ping -c {count} -i 0.2 -W 2 {extra} {dst}", check=False, timeout=30).stdout


def read_or_empty(path):
    try:
        return open(path).read()
    except OSError:
        return ""


def wait_for(cond, timeout):
    """Polls cond() until it is true or `timeout` seconds pass; returns its last value."""
    deadline = time.time() + timeout
    while not (v := cond()) and time.time() < deadline:
        time.sleep(0.02)
    return v


def prometheus_values(text):
    """{(name, ((label, value), ...)): number} of a Prometheus text exposition."""
    import re
    out = {}
    for line in text.splitlines():
        m = re.match(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$', line)
        if m:
            labels = tuple(sorted(re.findall(r'(\w+)="([^"]*)"', m.group(2) or "")))
            out[(m.group(1), labels)] = float(m.group(3))
    return out


def received(out):
    for line in out.splitlines():
        if "received" in line:
            return int(line.split(",")[1].split()[0])
    return 0


def stats_json(t):
    """`xlatd stats --json` of the translator under test, parsed."""
    return json.loads(subprocess.run([t.xlatd, "stats", "--json", "--control-socket", t.control],
                                     capture_output=True, text=True).stdout)


def settled_stats(t):
    """The stats once the traffic has been counted, or None: two answers 50 ms apart
    that agree. Senders that have returned have put their packets in the TUN's queues,
    and an idle worker publishes its counters within kStatsLagMs (10 ms) of its last
    round; callers poll this with wait_for."""
    def traffic(j):  # idle workers keep counting rounds and system calls: not traffic
        return {k: v for k, v in j["total"].items() if k not in ("io_rounds", "io_syscalls")}, j["drops"]
    a = stats_json(t)
    time.sleep(0.05)
    b = stats_json(t)
    return b if traffic(a) == traffic(b) else None


@contextlib.contextmanager
def python_in(ns, code):
    """A Python program (a test server) running in namespace `ns` while the block runs;
    yields its Popen (stdout piped) once the program has printed "ready" (its socket is
    bound), killed afterwards if it has not ended."""
    proc = subprocess.Popen(["ip", "netns", "exec", ns, PY, "-c", code], stdout=subprocess.PIPE, text=True)
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        raise RuntimeError(f"test server did not start: {proc.communicate()[0]}")
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def tcp_transfer(L, server_ns, listen, client_ns, connect, port, size=4 << 20):
    """Sends `size` random bytes over TCP and compares SHA-256 at both ends."""
    payload = os.urandom(size)
    path = tempfile.mktemp(prefix="e2e-payload-")
    with open(path, "wb") as f:
        f.write(payload)
    server_code = ("import socket,hashlib,sys\n"
                   f"s=socket.socket(socket.AF_INET6 if ':' in '{listen}' else socket.AF_INET)\n"
                   "s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                   f"s.bind(('{listen}',{port}));s.listen(1);s.settimeout(20);print('ready',flush=True)\n"
                   "c,_=s.accept();h=hashlib.sha256();n=0\n"
                   "while True:\n d=c.recv(65536)\n if not d: break\n h.update(d);n+=len(d)\n"
                   "print(n,h.hexdigest())")
    try:
        with python_in(server_ns, server_code) as server:
            L.ex(client_ns, f"{PY} -c \"import socket;"
                            f"s=socket.create_connection(('{connect}',{port}),timeout=20);"
                            f"s.sendall(open('{path}','rb').read());s.close()\"", timeout=60)
            out, _ = server.communicate(timeout=30)
    finally:
        os.unlink(path)
    n, digest = out.split()
    return int(n) == size and digest == hashlib.sha256(payload).hexdigest(), f"{n} bytes, {digest[:16]}"


def udp_echo(L):
    echo = ("import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            f"s.bind(('{V4_HOST}',5300));s.settimeout(15);print('ready',flush=True)\n"
            "for _ in range(20):\n d,a=s.recvfrom(2048);s.sendto(d,a)\n")
    with python_in(L.ns4, echo):
        out = L.ex(L.ns6, f"{PY} -c \"import socket,os\n"
                          "s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM);s.settimeout(3);ok=0\n"
                          "for i in range(20):\n"
                          " d=os.urandom(8+i*70)\n"
                          f" s.sendto(d,('{V4_HOST_AS_V6}',5300))\n"
                          " r,_=s.recvfrom(4096)\n"
                          " ok+=r==d\n"
                          "print(ok)\"", timeout=60).stdout
    return out.strip() == "20", f"{out.strip()} of 20 datagrams echoed intact"


# --- the checks ---

def check_ping_6to4(L, t):
    out = ping(L, L.ns6, V4_HOST_AS_V6)
    return received(out) == 3, out.splitlines()[-2] if out else "no output"


def check_ping_4to6(L, t):
    out = ping(L, L.ns4, "192.168.255.10")
    return received(out) == 3, out.splitlines()[-2] if out else "no output"


def check_tcp_6to4(L, t):
    return tcp_transfer(L, L.ns4, V4_HOST, L.ns6, V4_HOST_AS_V6, 5001)


def check_tcp_4to6(L, t):
    return tcp_transfer(L, L.ns6, "2001:db8:1::10", L.ns4, "192.168.255.10", 5002)


def check_udp(L, t):
    return udp_echo(L)


def check_traceroute(L, t):
    out = L.ex(L.ns6, f"traceroute -6 -n -q 1 -w 1 -m 6 {V4_HOST_AS_V6}", check=False, timeout=60).stdout
    hops = [l.split()[1] for l in out.splitlines()[1:] if len(l.split()) > 1]
    ok = TRANSLATOR_V6 in hops and hops[-1] == V4_HOST_AS_V6
    return ok, "hops " + " ".join(hops)


def check_packet_too_big(L, t):
    # The IPv4 side gets a 1300-byte link: the kernel's Fragmentation Needed must come
    # back to the IPv6 host as Packet Too Big with 20 bytes more.
    L.ex(L.nsx, f"ip link set b4{L.tag} mtu 1300")
    try:
        out = ping(L, L.ns6, V4_HOST_AS_V6, count=2, extra="-s 1400 -M do")
    finally:
        L.ex(L.nsx, f"ip link set b4{L.tag} mtu 1500")
        L.ex(L.ns6, "ip -6 route flush cache", check=False)
    return "mtu=1320" in out, [l for l in out.splitlines() if "mtu" in l.lower()][:1]


def check_frag_needed(L, t):
    # 1472 + 28 = 1500 bytes of IPv4 with DF become 1520 bytes of IPv6: too big for the
    # 1500-byte TUN, so the translator answers Fragmentation Needed with MTU 1480.
    out = ping(L, L.ns4, "192.168.255.10", count=2, extra="-s 1472 -M do")
    L.ex(L.ns4, "ip route flush cache", check=False)
    return "mtu = 1480" in out, [l for l in out.splitlines() if "mtu" in l.lower()][:1]


def pool_entry(t, v6):
    path = os.path.join(t.data, "dynamic.map")
    if not os.path.exists(path):
        return None
    for line in open(path):
        f = line.split()
        if len(f) == 3 and not line.startswith("#") and f[1] == v6:
            return f
    return None


POOL_CHOICES = {}


def check_pool_persistence(L, t):
    # The IPv6 host's own address has no static map: it borrows one from the pool...
    L.ex(L.ns6, f"ping -c 1 -W 2 -I 2001:db8:1::2 {V4_HOST_AS_V6}", check=False)
    t.stop(L)
    entry = pool_entry(t, "2001:db8:1::2")
    if not entry:
        return False, f"no dynamic.map entry for 2001:db8:1::2: {open(os.path.join(t.data, 'dynamic.map')).read()}"
    POOL_CHOICES[t.name] = entry[0]
    # ...and keeps it across a restart: the IPv4 host reaches it before it sends again.
    t.start(L)
    out = ping(L, L.ns4, entry[0], count=2)
    return received(out) == 2, f"{entry[0]} <-> {entry[1]} survived a restart, ping: {received(out)}/2"


def check_sighup_reload(L, t):
    bg = subprocess.Popen(["ip", "netns", "exec", L.ns4, "ping", "-c", "60", "-i", "0.05", "-W", "2",
                           "192.168.255.10"], stdout=subprocess.PIPE, text=True)
    # The reload comes while the pings flow: after ten of them have been translated.
    first = stats_json(t)["total"]["translated_4to6"]
    wait_for(lambda: stats_json(t)["total"]["translated_4to6"] >= first + 10, 10)
    maps = os.path.join(t.data, "maps.conf")
    with open(maps, "a") as f:
        f.write("map 192.168.255.21 2001:db8:1::21\n")
    n_maps = sum(1 for l in open(maps) if l.startswith("map "))
    t.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: f"SIGHUP: {n_maps} map-file entries loaded" in open(t.log).read(), 10)
    new = ping(L, L.ns4, "192.168.255.21", count=2)
    out, _ = bg.communicate(timeout=30)
    ok = received(new) == 2 and received(out) == 60
    return ok, f"new map answers {received(new)}/2; traffic during reload {received(out)}/60"


def check_mktun_rmtun(L, t):
    x = t.xlatd
    L.ex(L.nsx, f"{x} --mktun -c {t.conf}")
    shown = L.ex(L.nsx, "ip -d link show nat64", check=False).stdout
    made = "multi_queue" in shown and "tun" in shown
    L.ex(L.nsx, f"{x} --rmtun -c {t.conf}")
    gone = L.ex(L.nsx, "ip link show nat64", check=False).returncode != 0
    # A persistent single-queue TUN (TAYGA 0.9.2 --mktun, ip tuntap add) still works.
    L.ex(L.nsx, "ip tuntap add dev nat64 mode tun")
    t.start(L)
    works = received(ping(L, L.ns6, V4_HOST_AS_V6, count=2)) == 2
    t.stop(L)
    note = "without multi-queue" in open(t.log).read()
    # The stopped daemon's queue detaches when the kernel has torn its io_uring down, a
    # moment after it exits; until then the device is busy and cannot be deleted.
    deadline = time.time() + 10
    while L.ex(L.nsx, "ip tuntap del dev nat64 mode tun", check=False).returncode != 0 and time.time() < deadline:
        time.sleep(0.05)
    return made and gone and works and (note or t.workers == 1), \
        f"mktun multi_queue={made} rmtun gone={gone} single-queue device works={works} logged={note}"


def check_second_daemon_refused(L, t):
    """A second xlatd on the running one's (non-persistent) TUN exits with a clear error
    instead of taking part of its traffic; the first carries on."""
    log = os.path.join(t.dir, "second.log")
    p = L.start([t.xlatd, "-d", "-c", t.conf, "--control-socket", os.path.join(t.dir, "second.sock")], log)
    try:
        rc = p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        rc = None
    L.stop(p)
    text = open(log).read()
    works = received(ping(L, L.ns6, V4_HOST_AS_V6, count=2)) == 2
    ok = rc not in (None, 0) and "belongs to another running process" in text and works
    return ok, f"exit {rc}, {text.strip().splitlines()[-1][:150] if text.strip() else 'no output'}; first still translates: {works}"


def check_tcp_offloads_off(L, t):
    """The TCP transfers again with `offload no`: packet by packet, no virtio-net
    headers, the same bytes at both ends (the common checks run with offloads on)."""
    base = open(t.conf).read()
    try:
        with open(t.conf, "w") as f:
            f.write(base + "offload no\n")
        t.start(L)
        off = "offloads off" in open(t.log).read()
        ok64, d64 = tcp_transfer(L, L.ns4, V4_HOST, L.ns6, V4_HOST_AS_V6, 5011)
        ok46, d46 = tcp_transfer(L, L.ns6, "2001:db8:1::10", L.ns4, "192.168.255.10", 5012)
        t.stop(L)
    finally:
        with open(t.conf, "w") as f:
            f.write(base)
    return off and ok64 and ok46, f"logged 'offloads off' {off}; 6->4 {d64}; 4->6 {d46}"


def check_restart_at_once(L, t):
    """Stop and start again at once, switching offloads on and off: the old TUN lingers
    for a moment after the process is gone (its io_uring is torn down by a kernel
    worker); the new daemon must not attach to it with the old settings."""
    results = []
    base = open(t.conf).read()
    try:
        for i, off in enumerate(["no", "yes", "no", "yes"]):
            with open(t.conf, "w") as f:
                f.write(base + f"offload {off}\n")
            t.start(L)
            L.ex(L.ns6, f"ping -c 50 -i 0.002 -q {V4_HOST_AS_V6}", check=False)  # traffic in flight at the stop
            n = received(ping(L, L.ns6, V4_HOST_AS_V6, count=2))
            results.append(f"offload {off}: {n}/2")
            t.stop(L)  # SIGTERM; the next start follows at once
    finally:
        with open(t.conf, "w") as f:
            f.write(base)
    return all(r.endswith(" 2/2") for r in results), ", ".join(results)


def check_planted_fifo_dynamic_map(L, t):
    """Issue 14, finding 7: data-dir belongs to the -u user, who can plant a FIFO as
    dynamic.map; root used to open it and wait for a writer forever at the next start.
    Now it is refused with a log line and the daemon starts."""
    path = os.path.join(t.data, "dynamic.map")
    saved = open(path).read() if os.path.isfile(path) else None
    if os.path.lexists(path):
        os.unlink(path)
    os.mkfifo(path)
    try:
        t.proc = L.start(t.argv(), t.log)
        L.wait_until_translating(t.proc, t.log)
        started = "translating on" in open(t.log).read()
        refused = "not a regular file" in open(t.log).read()
        n = 0
        if started:
            L.route_tun()
            n = received(ping(L, L.ns6, V4_HOST_AS_V6, count=2))
        t.stop(L)
    finally:
        if os.path.lexists(path) and not os.path.isfile(path):
            os.unlink(path)
        if saved is not None:
            open(path, "w").write(saved)
    return started and refused and n == 2, f"started {started}, refused with a log line {refused}, ping {n}/2"


def check_privileges(L, t):
    """-u/-g drop root after set-up, -r chroots to data-dir; translation and dynamic.map
    writing carry on."""
    t.stop(L)
    os.chmod(t.dir, 0o755)
    map_file = os.path.join(t.data, "dynamic.map")
    before = os.stat(map_file).st_mtime_ns if os.path.exists(map_file) else 0
    t.start(L, ["-u", "nobody", "-g", "nogroup", "-r"])  # privileges are dropped before "translating on"
    status = open(f"/proc/{t.proc.pid}/status").read()
    uid = [l.split()[1] for l in status.splitlines() if l.startswith("Uid:")][0]
    root = os.readlink(f"/proc/{t.proc.pid}/root")
    works = received(ping(L, L.ns6, V4_HOST_AS_V6, count=2, extra="-I 2001:db8:1::20")) == 2
    # map-file reload inside the chroot: a map added now must come into force (issue 15:
    # with the path not rebased the reload failed, the old maps stayed and this passed).
    L.ex(L.ns6, "ip addr add 2001:db8:1::22/64 dev a6" + L.tag + " nodad", check=False)
    maps = os.path.join(t.data, "maps.conf")
    with open(maps, "a") as f:
        f.write("map 192.168.255.22 2001:db8:1::22\n")
    n_maps = sum(1 for l in open(maps) if l.startswith("map "))
    t.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: f"SIGHUP: {n_maps} map-file entries loaded" in open(t.log).read()
             or "map-file reload" in open(t.log).read(), 10)
    reloaded = f"SIGHUP: {n_maps} map-file entries loaded" in open(t.log).read() and \
        received(ping(L, L.ns4, "192.168.255.22", count=2)) == 2
    L.ex(L.ns6, f"ping -c 1 -W 2 -I 2001:db8:1::2 {V4_HOST_AS_V6}", check=False)
    assert os.path.exists(t.control)
    t.stop(L)
    # Issue 14, finding 11: root's control socket used to outlive a -u run (the daemon
    # could no longer remove it); its root helper removes it once the daemon is gone.
    deadline = time.time() + 10
    while os.path.exists(t.control) and time.time() < deadline:
        time.sleep(0.05)
    socket_removed = not os.path.exists(t.control)
    written = os.path.exists(map_file) and os.stat(map_file).st_mtime_ns > before and \
        pool_entry(t, "2001:db8:1::2") is not None
    nobody = str(__import__("pwd").getpwnam("nobody").pw_uid)
    ok = uid == nobody and root == t.data and works and reloaded and written and socket_removed
    return ok, (f"uid {uid} (nobody={nobody}), root {root}, ping {works}, "
                f"map-file after SIGHUP {reloaded}, dynamic.map written as nobody {written}, "
                f"control socket removed {socket_removed}")


def translated_6to4(j):
    """IPv6 -> IPv4 translations in a stats answer: the workers' and, with the fast path
    on (the default), the kernel's, which carries the ordinary packets such as pings."""
    return j["total"]["translated_6to4"] + ((j.get("fast_path") or {}).get("translated_6to4") or 0)


def check_stats(L, t):
    """`xlatd stats` reports what happened: translations, named drops with their
    explanation, pool usage; the JSON form parses."""
    ping(L, L.ns6, V4_HOST_AS_V6, count=3)
    # 127.0.0.1 under the prefix: never translated, dropped silently (as TAYGA does).
    reserved = L.ex(L.ns6, f"ping -c 1 -W 1 {lab.PREFIX}7f00:1", check=False).stdout
    # The static map's IPv4 address under the prefix: a hairpin, refused and answered.
    hairpin = L.ex(L.ns6, f"ping -c 1 -W 2 {lab.v6_of('192.168.255.10')}", check=False).stdout

    def counts():
        j = stats_json(t)
        return j, j["drops"]["ipv6_reserved_dest"]["count"], j["drops"]["ipv6_dest_hairpin"]["count"]
    deadline = time.time() + 5  # workers publish their counters within 10 ms of a round
    j, dropped, refused = counts()
    while (dropped < 1 or refused < 1 or translated_6to4(j) < 3) and time.time() < deadline:
        time.sleep(0.02)
        j, dropped, refused = counts()
    table = subprocess.run([t.xlatd, "stats", "--control-socket", t.control], capture_output=True, text=True).stdout
    # The same counters in the Prometheus format, scraped over loopback in its namespace.
    prom = L.ex(L.nsx, f"{PY} -c \"import urllib.request;print(urllib.request.urlopen("
                       f"'http://127.0.0.1:{t.metrics_port}/metrics',timeout=5).read().decode())\"").stdout
    # The values, not only the names (issue 15: every drop printed as 0 passed).
    j = stats_json(t)
    series = prometheus_values(prom)
    prom_drops = {r: sum(v for (name, labels), v in series.items()
                         if name == "xlatd_drops_total" and dict(labels).get("reason") == r)
                  for r in ("ipv6_reserved_dest", "ipv6_dest_hairpin")}
    prom_ok = (prom_drops["ipv6_reserved_dest"] == j["drops"]["ipv6_reserved_dest"]["count"] and
               prom_drops["ipv6_dest_hairpin"] == j["drops"]["ipv6_dest_hairpin"]["count"] and
               series.get(("xlatd_pool_addresses", (("state", "active"),))) == j["pool"]["active"] and
               sum(v for (name, labels), v in series.items() if name == "xlatd_translated_total"
                   and dict(labels).get("direction") == "6to4") >= j["total"]["translated_6to4"])
    # Every metric the shipped alert rules and dashboard use is one this daemon exports
    # (the fast path's only while it runs).
    etc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "etc")
    used = set(re.findall(r"\bxlatd_[a-z0-9_]+", open(os.path.join(etc, "prometheus", "xlatd-alerts.yml")).read() +
                          open(os.path.join(etc, "grafana", "xlatd-dashboard.json")).read()))
    exported = set(re.findall(r"^# TYPE (\S+)", prom, re.M))
    unknown = sorted(n for n in used - exported if j["fast_path"] is not None or "fast_path" not in n)
    prom_ok = prom_ok and len(used) >= 8 and not unknown
    answered = "Destination unreachable" in hairpin and "Destination unreachable" not in reserved
    # The table's fast-path section carries the same value as the JSON (not only the name).
    fp_rows = [l.split() for l in table.splitlines() if l.startswith("  translated_6to4")]
    fp_ok = (j["fast_path"] is None and not fp_rows) or (
        j["fast_path"] is not None and len(fp_rows) == 1 and int(fp_rows[0][1]) == j["fast_path"]["translated_6to4"])
    ok = (translated_6to4(j) >= 3 and dropped >= 1 and refused >= 1 and answered and fp_ok and
          j["pool"]["active"] >= 1 and "embeds a map or pool address" in table and
          len(j["per_worker"]) == t.workers and prom_ok)
    return ok, (f"6to4 {j['total']['translated_6to4']} + fast path {translated_6to4(j) - j['total']['translated_6to4']}, "
                f"ipv6_reserved_dest {dropped}, "
                f"ipv6_dest_hairpin {refused} (answered {answered}), pool {j['pool']}, prometheus {prom_ok}, "
                f"{len(used)} metrics in the rules and dashboard, not exported: {unknown}")


def check_control_client_gone(L, t):
    """A control-socket client that disconnects before the reply (as `timeout 10 xlatd
    stats` giving up does) gets nothing, and the daemon lives on (it died of SIGPIPE)."""
    import socket
    for _ in range(20):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(t.control)
        s.close()
    # The daemon answers the next client only after the 20 above: it has written to each.
    j = stats_json(t)
    alive = t.proc.poll() is None
    return alive and "total" in j, f"alive {alive}, exit status {t.proc.returncode}, stats answered {'total' in j}"


STALLERS = """
import socket, sys, time
port, control = int(sys.argv[1]), sys.argv[2]
held = []
# Scrapers that ask and never read, with the smallest receive buffer the kernel allows.
for _ in range(4):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
    s.connect(("127.0.0.1", port)); s.sendall(b"GET /metrics HTTP/1.0\\r\\n\\r\\n"); held.append(s)
# Control clients that connect and never ask.
for _ in range(6):
    u = socket.socket(socket.AF_UNIX); u.connect(control); held.append(u)
print("holding", flush=True)
time.sleep(600)
"""


def check_stalled_clients_hold_nothing(L, t):
    """Issue 14, finding 6: clients that never read (a scrape whose answer exceeds what
    the socket buffers hold: 8 workers) or never ask used to freeze the main loop:
    `xlatd stats` went unanswered and signals waited. They are served on their own
    thread now, non-blocking, with a deadline: while they hold on, `xlatd stats`
    answers, SIGHUP is handled and SIGTERM stops the daemon."""
    t8 = Translator("xlatd", 8, t.xlatd, os.path.dirname(t.dir))
    # Small send buffers in the translator's namespace (this test's own): the scrape
    # answer of 8 workers (about 26 kB) then cannot be taken in whole by the socket.
    wmem = L.ex(L.nsx, "sysctl -n net.ipv4.tcp_wmem").stdout.split()
    L.ex(L.nsx, "sysctl -w net.ipv4.tcp_wmem='4096 4096 4096'")
    try:
        t8.start(L)
        staller = subprocess.Popen(["ip", "netns", "exec", L.nsx, PY, "-c", STALLERS, str(t8.metrics_port), t8.control],
                                   stdout=subprocess.PIPE, text=True)
        try:
            assert staller.stdout.readline().strip() == "holding"
            try:
                j = json.loads(subprocess.run([t8.xlatd, "stats", "--json", "--control-socket", t8.control],
                                              capture_output=True, text=True, timeout=10).stdout)
            except subprocess.TimeoutExpired:
                return False, "xlatd stats got no answer in 10 s while the stalled clients held on"
            t8.proc.send_signal(signal.SIGHUP)
            deadline = time.time() + 10
            while "SIGHUP:" not in open(t8.log).read():
                if time.time() > deadline:
                    return False, "SIGHUP was not handled in 10 s while the stalled clients held on"
                time.sleep(0.05)
            t8.proc.send_signal(signal.SIGTERM)
            try:
                status = t8.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                return False, "SIGTERM did not stop the daemon in 10 s while the stalled clients held on"
            held = staller.poll() is None
        finally:
            staller.kill()
            staller.wait()
        t8.proc = None
        return (len(j["per_worker"]) == 8 and status == 0 and held,
                f"stats answered ({len(j['per_worker'])} workers), SIGHUP handled, exit {status}, clients still held {held}")
    finally:
        t8.stop(L)
        L.ex(L.nsx, f"sysctl -w net.ipv4.tcp_wmem='{' '.join(wmem)}'")


def udp_gso_burst(L, recv_ns, bind, send_ns, dst, port, seg, count, df):
    """One sendmsg of `count` datagrams of `seg` bytes with UDP_SEGMENT (the kernel hands
    them to the TUN as one super-packet where it has USO); the receiver checks each."""
    receiver = ("import socket\n"
                f"s=socket.socket(socket.AF_INET6 if ':' in '{bind}' else socket.AF_INET,socket.SOCK_DGRAM)\n"
                f"s.setsockopt(socket.SOL_SOCKET,socket.SO_RCVBUF,1<<21);s.bind(('{bind}',{port}));s.settimeout(2);print('ready',flush=True)\n"
                "good=set()\n"
                "try:\n"
                " while True:\n"
                "  d,_=s.recvfrom(65536);i=d[0]\n"
                f"  good.add(i) if len(d)=={seg} and d==bytes([i])*{seg} else None\n"
                "except socket.timeout: pass\n"
                "print(len(good))")
    fam = "socket.AF_INET6" if ":" in dst else "socket.AF_INET"
    # IP_MTU_DISCOVER = IP_PMTUDISC_DONT (0) clears DF, =DO (2) sets it; 103 is UDP_SEGMENT.
    mtu_opt = "" if ":" in dst else f"s.setsockopt(socket.IPPROTO_IP,10,{2 if df else 0});"
    with python_in(recv_ns, receiver) as server:
        L.ex(send_ns, f"{PY} -c \"import socket;s=socket.socket({fam},socket.SOCK_DGRAM);{mtu_opt}"
                      f"s.setsockopt(socket.SOL_UDP,103,{seg});"
                      f"s.sendto(b''.join(bytes([i])*{seg} for i in range({count})),('{dst}',{port}))\"", timeout=30)
        out, _ = server.communicate(timeout=30)
    return int(out.strip() or 0)


def check_udp_gso(L, t):
    """UDP segmentation offload: datagrams sent in one UDP_SEGMENT call arrive intact and
    one by one, both ways. Datagrams that fit after translation cross as one super-packet
    (fewer packets read than datagrams); 1500-byte IPv4 datagrams without DF become
    1520 bytes of IPv6, so xlatd cuts that super-packet in software and fragments each
    datagram (RFC 7915 4.1); the receiver reassembles them."""
    b = wait_for(lambda: settled_stats(t), 10)["total"]
    fit64 = udp_gso_burst(L, L.ns4, V4_HOST, L.ns6, V4_HOST_AS_V6, 5401, 1400, 40, True)
    fit46 = udp_gso_burst(L, L.ns6, "2001:db8:1::10", L.ns4, "192.168.255.10", 5402, 1400, 40, True)
    m = wait_for(lambda: settled_stats(t), 10)["total"]
    big46 = udp_gso_burst(L, L.ns6, "2001:db8:1::10", L.ns4, "192.168.255.10", 5403, 1472, 30, False)
    a = wait_for(lambda: settled_stats(t), 10)["total"]
    read = m["rx_packets"] - b["rx_packets"]
    segmented = a["gso_segmented"] - m["gso_segmented"]
    frags = a["fragments_made"] - m["fragments_made"]
    # 80 datagrams in two UDP_SEGMENT calls: a handful of reads (3-4 here), never one per
    # datagram (issue 15: "< 80" passed with offloads that did nothing).
    ok = fit64 == 40 and fit46 == 40 and big46 == 30 and read <= 10 and segmented >= 1 and frags >= 60
    return ok, (f"1400 B: {fit64}/40 6->4, {fit46}/40 4->6 intact in {read} packets read; 1472 B without DF: "
                f"{big46}/30 intact, {segmented} super-packet(s) cut in software, {frags} IPv6 fragments")


def check_garbage_storm(L, t):
    """Thousands of malformed packets through the TUN while a ping runs: the daemon
    lives, the ping gets through, and every packet xlatd read is accounted for as
    translated, answered or a named drop."""
    bg = subprocess.Popen(["ip", "netns", "exec", L.ns6, "ping", "-c", "150", "-i", "0.02", "-W", "2",
                           V4_HOST_AS_V6], stdout=subprocess.PIPE, text=True)
    here = os.path.dirname(os.path.abspath(__file__))
    sent = int(L.ex(L.nsx, f"{PY} {here}/garbage.py 4000 7", timeout=120).stdout.strip())
    out, _ = bg.communicate(timeout=60)
    alive = t.proc.poll() is None
    def accounting(j):
        tot = j["total"]
        drops = sum(d["count"] for d in j["drops"].values())
        return tot["translated_4to6"] + tot["translated_6to4"] + tot["echo_replies_sent"] + drops, drops
    j = wait_for(lambda: (q := settled_stats(t)) and accounting(q)[0] == q["total"]["rx_packets"] and q, 10) \
        or stats_json(t)
    tot = j["total"]
    accounted, drops = accounting(j)
    reasons = sorted(((d["count"], n) for n, d in j["drops"].items() if d["count"]), reverse=True)[:6]
    ok = alive and received(out) == 150 and accounted == tot["rx_packets"] and drops > 1000
    return ok, (f"alive {alive}, {sent} garbage packets sent, ping {received(out)}/150, read {tot['rx_packets']} = "
                f"accounted {accounted} (drops {drops}: {reasons})")


def kill9(L, t):
    """kill -9 of the translator, then waiting for its TUN to go: the killed process's
    io_uring is torn down by a kernel worker after the process is gone, and its TUN with
    it; a restart before that would find the dying device (seen under ASan: "Cannot find
    device" a moment later)."""
    t.proc.send_signal(signal.SIGKILL)
    t.proc.wait()
    L.procs.remove(t.proc)
    t.proc = None
    L.wait_for_gone("nat64")


def check_kill9_dynamic_map(L, t):
    """kill -9 at random moments while new hosts keep taking pool addresses, eight
    times: dynamic.map is always a whole file (old or new), and after a restart every
    mapping it holds is active again."""
    import random
    rng = random.Random(11)
    path = os.path.join(t.data, "dynamic.map")
    problems, host = [], 0x300
    # A mapping is written while the daemon runs, within about a second of being made,
    # not only at exit (issue 15: a daemon that wrote it only at exit passed, with "0
    # mappings kept").
    t.start(L)
    first = "2001:db8:1::2ff"
    L.ex(L.ns6, f"ip addr add {first}/64 dev a6{L.tag} nodad", check=False)
    L.ex(L.ns6, f"ping -c 1 -W 2 -I {first} {V4_HOST_AS_V6}", check=False)
    if not wait_for(lambda: pool_entry(t, first), 5):
        problems.append(f"{first}'s mapping was not in dynamic.map 5 s after it was made")
    kill9(L, t)
    for round_ in range(8):
        t.start(L)
        # New IPv6 sources, one ping each, in the background: assignments and writes.
        addrs = []
        for _ in range(12):
            addrs.append(f"2001:db8:1::{host:x}")
            L.ex(L.ns6, f"ip addr add {addrs[-1]}/64 dev a6{L.tag} nodad", check=False)
            host += 1
        cmd = "; ".join(f"ping -c 1 -W 1 -I {a} {V4_HOST_AS_V6} >/dev/null" for a in addrs)
        bg = subprocess.Popen(["ip", "netns", "exec", L.ns6, "sh", "-c", cmd])
        time.sleep(rng.uniform(0.2, 2.5))
        kill9(L, t)
        bg.wait(timeout=30)
        text = open(path).read() if os.path.exists(path) else ""
        entries = [l.split("\t") for l in text.splitlines() if l and not l.startswith("#")]
        if text and not text.endswith("\n"):
            problems.append(f"round {round_}: file cut short")
        if any(len(e) != 3 or not e[0].startswith("192.168.255.") or not e[2].isdigit() for e in entries):
            problems.append(f"round {round_}: malformed line")
        # Restart: everything in the file must come back active.
        t.start(L)  # dynamic.map is loaded before "translating on"
        j = stats_json(t)
        if j["pool"]["active"] < len(entries):
            problems.append(f"round {round_}: {len(entries)} in the file, {j['pool']['active']} active after restart")
        t.stop(L)
    final = [l for l in open(path).read().splitlines() if l and not l.startswith("#")]
    if not any(l.split("\t")[1] == first for l in final):
        problems.append(f"{first}'s mapping did not survive the kills")
    return not problems, (f"8 kills, dynamic.map always whole, {len(final)} mappings kept" if not problems
                          else "; ".join(problems))


def check_tun_directives(L, t):
    """tun-up, tun-ip and tun-route: xlatd brings its TUN up, gives it the address and
    routes the prefix and the pool into it itself; nothing else routes it here."""
    base = open(t.conf).read()
    try:
        with open(t.conf, "w") as f:
            f.write(base + "tun-up yes\ntun-ip 10.64.64.1\ntun-ip 2001:db8:ffff::1/128\n"
                    f"tun-route 192.168.255.0/24\ntun-route {lab.PREFIX}/96\n")
        t.proc = L.start(t.argv(), t.log)
        L.wait_until_translating(t.proc, t.log)
        link = L.ex(L.nsx, "ip -o link show nat64", check=False).stdout
        addrs = L.ex(L.nsx, "ip -o addr show dev nat64", check=False).stdout
        routes = L.ex(L.nsx, "ip route show dev nat64", check=False).stdout + \
            L.ex(L.nsx, "ip -6 route show dev nat64", check=False).stdout
        up = ",UP" in link
        addressed = "10.64.64.1/32" in addrs and "2001:db8:ffff::1/128" in addrs
        routed = "192.168.255.0/24" in routes and f"{lab.PREFIX}/96" in routes
        n64 = received(ping(L, L.ns6, V4_HOST_AS_V6, count=2))
        n46 = received(ping(L, L.ns4, "192.168.255.10", count=2))
        t.stop(L)
    finally:
        with open(t.conf, "w") as f:
            f.write(base)
    ok = up and addressed and routed and n64 == 2 and n46 == 2
    return ok, f"up {up}, addresses {addressed}, routes {routed}, ping 6->4 {n64}/2, 4->6 {n46}/2"


def check_nat44_snippet(L, t):
    """etc/nat44.nft, the shipped equivalent of Debian's CONFIGURE_NAT44=yes: with it
    loaded on the translator's box, a pool host's datagrams reach the IPv4 host from the
    box's own address (198.51.100.1), and the replies come back, although the IPv4 side
    no longer has a route to the pool."""
    snippet = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "etc", "nat44.nft")).read()
    pool = re.search(r"^dynamic-pool\s+(\S+)", open(t.conf).read(), re.M).group(1)
    snippet = re.sub(r"^define xlatd_dynamic_pool = .*$", f"define xlatd_dynamic_pool = {pool}", snippet, flags=re.M)
    echo = ("import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            f"s.bind(('{V4_HOST}',5302));s.settimeout(15);print('ready',flush=True)\n"
            "seen=set()\n"
            "for _ in range(5):\n d,a=s.recvfrom(2048);seen.add(a[0]);s.sendto(d,a)\n"
            "print('seen',*sorted(seen),flush=True)\n")
    L.ex(L.ns4, "ip route del 192.168.255.0/24")
    try:
        path = os.path.join(t.dir, "nat44.nft")
        with open(path, "w") as f:
            f.write(snippet)
        L.ex(L.nsx, f"nft -f {path}")
        with python_in(L.ns4, echo) as server:
            out = L.ex(L.ns6, f"{PY} -c \"import socket\n"
                              "s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM);s.bind(('2001:db8:1::2',0))\n"
                              "s.settimeout(3);ok=0\n"
                              "for i in range(5):\n"
                              " d=b'nat44 %d' % i\n"
                              f" s.sendto(d,('{V4_HOST_AS_V6}',5302))\n"
                              " r,_=s.recvfrom(4096)\n"
                              " ok+=r==d\n"
                              "print(ok)\"", timeout=60, check=False).stdout
            line = server.stdout.readline().split()  # after the 5th datagram, or EOF
            seen = line[1:] if line[:1] == ["seen"] else line
    finally:
        L.ex(L.nsx, "nft delete table ip xlatd_nat44", check=False)
        L.ex(L.ns4, "ip route add 192.168.255.0/24 via 198.51.100.1", check=False)
    echoed = int(out.strip()) if out.strip().isdigit() else 0  # a timeout prints a traceback
    ok = echoed == 5 and seen == ["198.51.100.1"]
    return ok, f"pool {pool}: the IPv4 host saw {seen}, {echoed}/5 echoed back"


def udp_from_mapped_host(L, n=20, src="2001:db8:1::10"):
    """n datagrams from the static-map host 2001:db8:1::10 (or `src`) to the IPv4 host,
    echoed back: how many came back intact."""
    echo = ("import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            f"s.bind(('{V4_HOST}',5301));s.settimeout(15);print('ready',flush=True)\n"
            f"for _ in range({n}):\n d,a=s.recvfrom(2048);s.sendto(d,a)\n")
    with python_in(L.ns4, echo):
        out = L.ex(L.ns6, f"{PY} -c \"import socket,os\n"
                          f"s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM);s.bind(('{src}',0))\n"
                          "s.settimeout(3);ok=0\n"
                          f"for i in range({n}):\n"
                          " d=os.urandom(8+i*60)\n"
                          f" s.sendto(d,('{V4_HOST_AS_V6}',5301))\n"
                          " r,_=s.recvfrom(4096)\n"
                          " ok+=r==d\n"
                          "print(ok)\"", timeout=60).stdout
    return int(out.strip() or 0)


def start_with_fast_path(L, t, base):
    """Starts the translator with `base` plus `fast-path yes`: whether it said it is on."""
    with open(t.conf, "w") as f:
        f.write(base + "fast-path yes\n")
    t.start(L)
    return bool(wait_for(lambda: "fast path on nat64" in read_or_empty(t.log), 10))


def check_fast_path(L, t):
    """fast-path yes: the static-map host's UDP crosses in the kernel both ways, intact
    (the fast path's own counters say so, the daemon's do not move for it); so do a
    TCP transfer, its GSO super-packets included, and the host's ping (Echo);
    a SIGHUP keeps it on; with `fast-path no` there is none."""
    base = open(t.conf).read()
    try:
        on = start_with_fast_path(L, t, base)
        before = settled_stats(t) or stats_json(t)
        echoed = udp_from_mapped_host(L)
        after = settled_stats(t) or stats_json(t)
        fp0, fp1 = before["fast_path"], after["fast_path"]
        kernel = (fp1["translated_6to4"] - fp0["translated_6to4"], fp1["translated_4to6"] - fp0["translated_4to6"])
        daemon = (after["total"]["translated_6to4"] - before["total"]["translated_6to4"],
                  after["total"]["translated_4to6"] - before["total"]["translated_4to6"])
        tcp_ok, tcp_detail = tcp_transfer(L, L.ns6, "2001:db8:1::10", L.ns4, "192.168.255.10", 5004)
        after_tcp = wait_for(lambda: settled_stats(t), 10) or stats_json(t)
        tcp_kernel = sum(after_tcp["fast_path"][k] - fp1[k] for k in ("translated_6to4", "translated_4to6"))
        tcp_daemon = sum(after_tcp["total"][k] - after["total"][k] for k in ("translated_6to4", "translated_4to6"))
        # Echo from the mapped host: in the kernel both ways (request out, reply back).
        pinged = received(ping(L, L.ns6, V4_HOST_AS_V6, extra="-I 2001:db8:1::10"))
        after_ping = wait_for(lambda: settled_stats(t), 10) or stats_json(t)
        ping_kernel = tuple(after_ping["fast_path"][k] - after_tcp["fast_path"][k]
                            for k in ("translated_6to4", "translated_4to6"))
        ping_daemon = sum(after_ping["total"][k] - after_tcp["total"][k] for k in ("translated_6to4", "translated_4to6"))
        t.proc.send_signal(signal.SIGHUP)
        reloaded = wait_for(lambda: "SIGHUP" in read_or_empty(t.log), 10)
        again = udp_from_mapped_host(L, 5)
        fp2 = stats_json(t)["fast_path"]
        t.stop(L)
        with open(t.conf, "w") as f:
            f.write(base + "fast-path no\n")
        t.start(L)
        without = stats_json(t)["fast_path"]
        t.stop(L)
    finally:
        with open(t.conf, "w") as f:
            f.write(base)
    ok = (bool(on) and echoed == 20 and kernel == (20, 20) and daemon == (0, 0) and tcp_ok and tcp_kernel > 0 and
          tcp_daemon == 0 and pinged == 3 and ping_kernel == (3, 3) and ping_daemon == 0 and
          bool(reloaded) and again == 5 and fp2["translated_6to4"] >= fp1["translated_6to4"] + 5 and without is None)
    return ok, (f"announced {bool(on)}, UDP {echoed}/20 echoed, kernel 6to4/4to6 {kernel}, daemon {daemon}; "
                f"TCP {tcp_detail} ({tcp_ok}; packets in the kernel {tcp_kernel}, in the daemon {tcp_daemon}), "
                f"ping {pinged}/3 (kernel {ping_kernel}, daemon {ping_daemon}), after SIGHUP {again}/5, "
                f"with fast-path no: fast_path={without}")


def check_fast_path_pool(L, t):
    """fast-path yes with a dynamic-pool host: once the daemon has assigned it (its first
    packet, unless dynamic.map already held it), its UDP crosses in the kernel both ways;
    traffic the kernel alone carried still moves its last use in dynamic.map (read back
    from the program's stamps at SIGHUP)."""
    base = open(t.conf).read()
    host = "2001:db8:1::2"
    try:
        on = start_with_fast_path(L, t, base)
        before = settled_stats(t) or stats_json(t)
        echoed = udp_from_mapped_host(L, 20, host)
        after = wait_for(lambda: settled_stats(t), 10) or stats_json(t)
        fp0, fp1 = before["fast_path"], after["fast_path"]
        kernel = (fp1["translated_6to4"] - fp0["translated_6to4"], fp1["translated_4to6"] - fp0["translated_4to6"])
        daemon = (after["total"]["translated_6to4"] - before["total"]["translated_6to4"],
                  after["total"]["translated_4to6"] - before["total"]["translated_4to6"])
        t.proc.send_signal(signal.SIGHUP)
        first = wait_for(lambda: pool_entry(t, host), 10)
        # Two seconds on at the earliest, so that a later last use can be told apart.
        wait_for(lambda: time.time() >= int(first[2]) + 2 if first else True, 5)
        started = int(time.time())
        later = udp_from_mapped_host(L, 5, host)
        final = wait_for(lambda: settled_stats(t), 10) or stats_json(t)
        t.proc.send_signal(signal.SIGHUP)
        moved = wait_for(lambda: (e := pool_entry(t, host)) and first and int(e[2]) >= started and e, 10)
        t.stop(L)
    finally:
        with open(t.conf, "w") as f:
            f.write(base)
    daemon_later = final["total"]["translated_6to4"] - after["total"]["translated_6to4"]
    ok = (bool(on) and echoed == 20 and kernel[1] == 20 and kernel[0] + daemon[0] == 20 and daemon[0] <= 1 and
          daemon[1] == 0 and later == 5 and daemon_later == 0 and bool(moved))
    return ok, (f"UDP {echoed}/20 echoed, kernel 6to4/4to6 {kernel}, daemon {daemon} (the assigning packet); "
                f"then {later}/5 in the kernel alone (daemon {daemon_later}); dynamic.map last use "
                f"{first[2] if first else None} -> {moved[2] if moved else None}")


def check_fast_path_eam_range(L, t):
    """fast-path yes with an EAM range (RFC 7757: `map 192.168.255.40/29
    2001:db8:1::40/125`): a host inside it, 2001:db8:1::45 <-> 192.168.255.45, crosses in
    the kernel both ways (its suffix bits carried over), the daemon translating none of
    it; the fast path stays on for such a configuration."""
    base = open(t.conf).read()
    host = "2001:db8:1::45"
    L.ex(L.ns6, f"ip addr add {host}/64 dev a6{L.tag} nodad")
    try:
        on = start_with_fast_path(L, t, base + "map 192.168.255.40/29 2001:db8:1::40/125\n")
        before = settled_stats(t) or stats_json(t)
        echoed = udp_from_mapped_host(L, 20, host)
        after = wait_for(lambda: settled_stats(t), 10) or stats_json(t)
        kernel = tuple(after["fast_path"][k] - before["fast_path"][k] for k in ("translated_6to4", "translated_4to6"))
        daemon = tuple(after["total"][k] - before["total"][k] for k in ("translated_6to4", "translated_4to6"))
        t.stop(L)
    finally:
        L.ex(L.ns6, f"ip addr del {host}/64 dev a6{L.tag}", check=False)
        with open(t.conf, "w") as f:
            f.write(base)
    ok = bool(on) and echoed == 20 and kernel == (20, 20) and daemon == (0, 0)
    return ok, f"announced {bool(on)}, UDP {echoed}/20 echoed, kernel 6to4/4to6 {kernel}, daemon {daemon}"


def udp_hop_counts(L, n=10, src="2001:db8:1::10"):
    """n datagrams from `src` to the IPv4 host and back: how many came back intact, the
    TTLs the IPv4 host received them with and the Hop Limits of the replies."""
    echo = ("import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
            "s.setsockopt(socket.IPPROTO_IP,12,1)  # IP_RECVTTL\n"
            f"s.bind(('{V4_HOST}',5305));s.settimeout(15);print('ready',flush=True);ttl=[]\n"
            f"for _ in range({n}):\n"
            " d,anc,_,a=s.recvmsg(2048,64);ttl+=[anc[0][2][0]];s.sendto(d,a)\n"
            "print('ttl',*ttl,flush=True)\n")
    with python_in(L.ns4, echo) as server:
        out = L.ex(L.ns6, f"{PY} -c \"import socket,os\n"
                          f"s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM);s.bind(('{src}',0))\n"
                          "s.setsockopt(socket.IPPROTO_IPV6,socket.IPV6_RECVHOPLIMIT,1)\n"
                          "s.settimeout(3);ok=0;hl=[]\n"
                          f"for i in range({n}):\n"
                          " d=os.urandom(8+i*60)\n"
                          f" s.sendto(d,('{V4_HOST_AS_V6}',5305))\n"
                          " r,anc,_,_=s.recvmsg(4096,64)\n"
                          " ok+=r==d;hl+=[int.from_bytes(anc[0][2][:4],'little')]\n"
                          "print(ok,*hl)\"", timeout=60, check=False).stdout.split()
        ttl = server.stdout.readline().split()[1:]
    return (int(out[0]) if out and out[0].isdigit() else 0), ttl, out[1:]


def send_protocol_16(L, n=5, src="2001:db8:1::10"):
    """n IPv6 packets of protocol 16 (CHAOS, which the fast path leaves to the daemon) from
    `src` to the IPv4 host, which drops them without an answer (an ICMP error coming
    back would go up too, when it comes)."""
    L.ex(L.ns4, "nft 'add table ip drop16; add chain ip drop16 c { type filter hook input priority 0; }; "
                "add rule ip drop16 c meta l4proto 16 counter drop'")
    try:
        L.ex(L.ns6, f"{PY} -c \"import socket\n"
                    "s=socket.socket(socket.AF_INET6,socket.SOCK_RAW,16)\n"
                    f"s.bind(('{src}',0))\n"
                    f"for i in range({n}): s.sendto(bytes(20),('{V4_HOST_AS_V6}',0))\"")
        # Until all of them have arrived (and been dropped there).
        wait_for(lambda: f"packets {n} " in L.ex(L.ns4, "nft list table ip drop16").stdout, 10)
    finally:
        L.ex(L.ns4, "nft delete table ip drop16", check=False)


def check_fast_path_ingress(L, t):
    """fast-path-ingress on both uplinks (b6, b4): the static-map host's UDP is taken
    before the first routing pass, both ways, and arrives with the TTL / Hop Limit the
    TUN path gives it (the program does the skipped pass's hop); with fast-path-forward
    too it also leaves by the uplink directly (one more hop done by the program), the
    same hop counts again, and traceroute sees the same hops answer; a TCP transfer's
    packets (super-packets) are all taken on the ingress, intact. Those counters stay
    0 without the directives; a missing device and a non-Ethernet one in the list are
    refused with a line each, the others kept. A packet the
    fast path leaves to the daemon (protocol 16) is counted as passed up once, not at
    the ingress and again on the TUN: the fast path's passed-up counters move by what
    the daemon reads."""
    base = open(t.conf).read()
    results = {}
    for ns in (L.nsx, L.ns4):
        L.ex(ns, "sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0")
    try:
        for mode, extra in (("no", "fast-path no\n"), ("tun", ""),
                            # Two it must refuse, each with a line saying why: the rest still run.
                            ("ingress", f"fast-path-ingress b6{L.tag} nosuchdev0 lo b4{L.tag}\n"),
                            ("forward", f"fast-path-ingress b6{L.tag} b4{L.tag}\nfast-path-forward yes\n")):
            with open(t.conf, "w") as f:
                f.write(base + extra)
            t.start(L)
            announced = mode == "no" or wait_for(lambda: "fast path on nat64" in read_or_empty(t.log), 10)
            first = settled_stats(t) or stats_json(t)
            echoed, ttl, hl = udp_hop_counts(L)
            send_protocol_16(L)
            last = wait_for(lambda: settled_stats(t), 10) or stats_json(t)
            before, after = first["fast_path"] or {}, last["fast_path"] or {}
            moved = {k: after[k] - before.get(k, 0) for k in after}
            # Every packet passed up on the TUN is one the daemon reads (the protocol 16
            # ones, and whatever the kernel itself sends into the TUN meanwhile).
            moved["up"] = sum(v for k, v in moved.items() if k.startswith("up_"))
            moved["read"] = last["total"]["rx_packets"] - first["total"]["rx_packets"]
            # A TCP transfer toward the static-map host (its data in super-packets):
            # every packet of it the fast path translates, it takes on the ingress.
            tcp_ok, _ = tcp_transfer(L, L.ns6, "2001:db8:1::10", L.ns4, "192.168.255.10", 5006)
            after_tcp = (wait_for(lambda: settled_stats(t), 10) or stats_json(t))["fast_path"] or {}
            tcp = {k: after_tcp[k] - after[k] for k in after_tcp}
            # Each hop answers where it did (Hop Limits 1 to 6 from the static-map host:
            # the ones expiring on the way are the kernel's and the daemon's to answer;
            # the kernels' ICMP rate limits are off meanwhile, four traceroutes in a row).
            trace = L.ex(L.ns6, f"traceroute -6 -n -q 1 -N 1 -w 5 -m 6 -s 2001:db8:1::10 {V4_HOST_AS_V6}",
                         check=False, timeout=60).stdout
            hops = tuple(line.split()[1] for line in trace.splitlines()[1:] if len(line.split()) > 1)

            results[mode] = (bool(announced), echoed, ttl, hl, moved, hops, tcp_ok, tcp)
            if mode == "ingress":
                log = read_or_empty(t.log)
                refused = ("fast path not on nosuchdev0 (ingress): no interface nosuchdev0" in log and
                           "fast path not on lo (ingress): lo is not an Ethernet device" in log)
            t.stop(L)
    finally:
        for ns in (L.nsx, L.ns4):
            L.ex(ns, "sysctl -qw net.ipv4.icmp_ratelimit=1000 net.ipv6.icmp.ratelimit=1000")
        with open(t.conf, "w") as f:
            f.write(base)
    counts = {m: tuple(r[4].get(k, 0) for k in ("ingress_6to4", "ingress_4to6", "forwarded")) for m, r in results.items()}
    same_hops = len({(tuple(r[2]), tuple(r[3])) for r in results.values()}) == 1 and len(results["no"][2]) == 10
    trace = results["no"][5]
    same_trace = (len({r[5] for r in results.values()}) == 1 and TRANSLATOR_V6 in trace and
                  trace[-1:] == (V4_HOST_AS_V6,))
    ok = (all(r[0] and r[1] == 10 for r in results.values()) and same_hops and same_trace and refused and
          counts["tun"] == (0, 0, 0) and
          counts["ingress"] == (10, 10, 0) and counts["forward"] == (10, 10, 20) and
          results["forward"][4]["translated_6to4"] == 10 and
          all(results[m][4]["up_not_ordinary"] >= 5 and results[m][4]["up"] == results[m][4]["read"]
              for m in ("tun", "ingress", "forward")) and
          all(r[6] for r in results.values()) and results["tun"][7]["ingress_4to6"] == 0 and
          all(results[m][7]["translated_4to6"] == results[m][7]["ingress_4to6"] > 0 for m in ("ingress", "forward")) and
          results["forward"][7]["forwarded"] == results["forward"][7]["ingress_4to6"] + results["forward"][7]["ingress_6to4"])
    return ok, f"refusals logged {refused}; " + "; ".join(f"{m}: traceroute {' '.join(r[5])}" for m, r in results.items()) + "; " + "; ".join(f"{m}: {r[1]}/10 echoed, ttl {' '.join(r[2][:2])}.. hl {' '.join(r[3][:2])}.., "
                         f"ingress 6to4/4to6, forwarded {counts[m]}, up_not_ordinary {r[4].get('up_not_ordinary')}, "
                         f"passed up {r[4].get('up')}, read by the daemon {r[4].get('read')}, TCP intact {r[6]} "
                         f"(4to6 {r[7].get('translated_4to6')}, of them on the ingress {r[7].get('ingress_4to6')}, "
                         f"forwarded {r[7].get('forwarded')})"
                         for m, r in results.items())


def check_pidfile_notify_sigusr1(L, t):
    """-p writes the daemon's pid and removes it at exit; with $NOTIFY_SOCKET it tells
    systemd READY=1 once translating, WATCHDOG=1 while $WATCHDOG_USEC asks for it and
    STOPPING=1 on SIGTERM; SIGUSR1 logs the counters, the same as the control socket's.
    (A file socket: an abstract one belongs to a network namespace, and the daemon runs in
    another; the unit tests send to both kinds.)"""
    import select
    import socket
    pidfile = os.path.join(t.dir, "xlatd.pid")
    notify = os.path.join(t.dir, "notify.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(notify)
    messages = []

    def receive(what, timeout=10, count=1):
        deadline = time.time() + timeout
        while sum(what in m for m in messages) < count and time.time() < deadline:
            if select.select([s], [], [], max(0, deadline - time.time()))[0]:
                messages.append(s.recv(4096).decode())
        return sum(what in m for m in messages) >= count
    try:
        # 400 ms: a kick at least every 100 ms
        t.proc = L.start(["env", f"NOTIFY_SOCKET={notify}", "WATCHDOG_USEC=400000"] + t.argv() + ["-p", pidfile], t.log)
        ready = receive("READY=1")
        L.route_tun()
        pid_ok = os.path.exists(pidfile) and open(pidfile).read().strip() == str(t.proc.pid)
        n = received(ping(L, L.ns6, V4_HOST_AS_V6, count=3))
        wait_for(lambda: translated_6to4(stats_json(t)) >= 3, 5)  # workers publish within 10 ms
        j = stats_json(t)
        t.proc.send_signal(signal.SIGUSR1)
        line = wait_for(lambda: [l for l in open(t.log).read().splitlines() if "counters: rx" in l], 10)
        words = line[-1].split() if line else []

        def logged_value(name):
            return int(words[words.index(name) + 1]) if name in words else 0
        logged = logged_value("translated_6to4") + logged_value("fast-path-translated_6to4") if words else -1
        receive("WATCHDOG=1", count=3)
        kicks = messages.count("WATCHDOG=1")
        t.stop(L)  # SIGTERM; the datagram waits in the socket
        stopping = receive("STOPPING=1")
        pid_removed = not os.path.exists(pidfile)
    finally:
        s.close()
        os.unlink(notify)
    ok = ready and kicks >= 3 and stopping and pid_ok and pid_removed and n == 3 and logged == translated_6to4(j) >= 3
    return ok, (f"READY=1 {ready}, WATCHDOG=1 x{kicks}, STOPPING=1 {stopping}, pidfile {pid_ok} and removed {pid_removed}, "
                f"SIGUSR1 6to4 {logged} = stats {translated_6to4(j)} (workers and fast path)")


COMMON = [check_ping_6to4, check_ping_4to6, check_tcp_6to4, check_tcp_4to6, check_udp,
          check_traceroute, check_packet_too_big, check_frag_needed, check_pool_persistence]
XLATD_ONLY = [check_stats, check_nat44_snippet, check_control_client_gone, check_garbage_storm, check_sighup_reload, check_privileges, check_udp_gso,
              check_second_daemon_refused]
ALONE = [check_mktun_rmtun, check_tcp_offloads_off, check_restart_at_once, check_kill9_dynamic_map,
         check_planted_fifo_dynamic_map, check_stalled_clients_hold_nothing, check_tun_directives,
         check_pidfile_notify_sigusr1, check_fast_path, check_fast_path_pool, check_fast_path_eam_range,
         check_fast_path_ingress]  # need the translator stopped


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xlatd", required=True)
    ap.add_argument("--only")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    cannot = needs_root_and_tun()
    if cannot is not None:
        return cannot
    tayga = shutil.which("tayga") or ("/usr/sbin/tayga" if os.path.exists("/usr/sbin/tayga") else None)
    workdir = tempfile.mkdtemp(prefix="xlatd-e2e-")
    # (kind, workers, fast path): xlatd as operators get it (fast path on), with one and two
    # workers, and with the fast path off, so every check runs both ways.
    kinds = [("xlatd", 1, True), ("xlatd", 2, True), ("xlatd", 1, False), ("xlatd", 1, "forward")]
    if tayga:
        kinds.append(("tayga", 0, True))
    elif under_ci():
        # The side-by-side run is what catches a dynamic.map TAYGA would not read.
        return skipped("tayga is not installed (scripts/install-deps.sh installs it)")
    else:
        print("NOTE: tayga is not installed (scripts/install-deps.sh installs it); side-by-side run left out")
    checks = Checks(args.only)
    for kind, workers, fast_path in kinds:
        suffix = "f" if fast_path == "forward" else "" if fast_path else "n"
        L = lab.Lab(f"{os.getpid() % 10000}{kind[0]}{workers}{suffix}")
        t = Translator(kind, workers, os.path.abspath(args.xlatd), workdir, fast_path, L.tag)
        failed_before = checks.failed
        try:
            L.up()
            t.start(L)
            for c in COMMON + (XLATD_ONLY if kind == "xlatd" else []):
                checks.run(check_name(c), with_translator_running, c, L, t, label=f"{t.name:16s}")
            t.stop(L)
            if kind == "xlatd" and fast_path is True:
                for c in ALONE:
                    checks.run(check_name(c), c, L, t, label=f"{t.name:16s}")
        finally:
            t.stop(L)
            if checks.failed > failed_before:
                print(f"--- {t.name} log ({t.log}) ---\n" + open(t.log).read()[-3000:])
            if not args.keep:
                L.down()
    if tayga:
        same = [n for (n, who), ok in checks.results.items() if who.strip() == "tayga" and ok]
        print(f"side by side: TAYGA passes {len(same)} of the {len(COMMON)} common checks with the same tayga.conf")
        if "tayga" in POOL_CHOICES:
            # Same host, same pool: xlatd picks the address TAYGA picks.
            checks.record("pool choice matches TAYGA",
                          len(set(POOL_CHOICES.values())) == 1 and len(POOL_CHOICES) == len(kinds), str(POOL_CHOICES))
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return checks.summary()


def check_name(c):
    return c.__name__[len("check_"):]


def with_translator_running(c, L, t):
    """Runs the check c, first restarting the translator when an earlier check stopped it."""
    if t.proc is None:
        t.start(L)
    return c(L, t)


if __name__ == "__main__":
    sys.exit(main())
