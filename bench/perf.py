#!/usr/bin/python3
"""The performance harness: IPv6 host <-> translator box <-> IPv4 host in network
namespaces, measuring in ONE run, same box, same tayga.conf: xlatd (workers 1 and 2),
TAYGA (Debian's package) and plain kernel routing without translation (the ceiling).

Workloads, both directions: TCP bulk (iperf3, 1 and 8 streams), small UDP (64-byte IPv6
packets from udpgen, counted by the receiver's veth), 1400-byte UDP, RTT under load
(ping p50 / p99 during a TCP transfer), and translator CPU time per packet.

    perf.py --xlatd PATH --udpgen PATH [--repeats N] [--seconds S] [--out DIR] [--maps N]
            [--baseline PATH]

--baseline PATH measures another xlatd binary in the same run (as "base w1" and
"base w2"), for a before/after comparison of a change free of the run-to-run noise.

--maps N puts N more static maps (`map 10.a.b.c 2001:db8:ff::a:b:c`) in every
translator's tayga.conf, ahead of the measured hosts' own maps, so that every packet
also misses a table of N entries once (issue 16's workload: --maps 10000).

Prints a table, writes perf.csv and (with gnuplot) perf.png into --out.
"""
import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import lab  # noqa: E402

CONF = """tun-device nat64
ipv4-addr 192.168.255.1
prefix 2001:db8:64::/96
dynamic-pool 192.168.255.0/24
data-dir {data}
map 192.168.255.10 2001:db8:1::10
map 192.168.255.77 2001:db8:1::77
"""
SINK4 = "198.51.100.77"            # not a host: the IPv4 side's veth counts and drops it
SINK6_NATIVE = "2001:db8:2::77"     # the same on the IPv4 host's veth, routed natively
SINK_V6_SIDE = "2001:db8:1::77"     # on the IPv6 host's veth (map 192.168.255.77)
HZ = os.sysconf("SC_CLK_TCK")


def fast_suffix(fast):
    """The fast path's part of a column's name: none, "-fast" (on the TUN), "-ingress"
    (on the uplinks' ingress too), "-forward" (and out of them directly)."""
    return f"-{fast}" if fast in ("ingress", "forward") else "-fast" if fast else ""


class Bench:
    def __init__(self, args):
        self.args = args
        self.L = lab.Lab(f"p{os.getpid() % 10000}")
        self.dir = tempfile.mkdtemp(prefix="xlatd-perf-")
        self.proc = None
        self.sink_obj = os.path.join(self.dir, "sink_drop.o")
        if args.sink_drop:
            subprocess.run(["clang", "-O2", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c",
                            os.path.join(os.path.dirname(os.path.abspath(__file__)), "sink_drop.bpf.c"),
                            "-o", self.sink_obj], check=True)

    # --- topology ---
    def up(self):
        L = self.L
        L.up()
        # Native IPv6 on the IPv4 side too, for the kernel-routing ceiling.
        L.ex(L.nsx, f"ip addr add 2001:db8:2::1/64 dev b4{L.tag} nodad")
        L.ex(L.ns4, f"ip addr add 2001:db8:2::2/64 dev a4{L.tag} nodad")
        L.ex(L.ns4, "ip -6 route add default via 2001:db8:2::1")
        # The IPv6 host sends from its static-map address (map 192.168.255.10): 6->4 and
        # 4->6 both take a static map, as for every column alike.
        L.ex(L.ns6, "ip -6 route replace default via 2001:db8:1::1 src 2001:db8:1::10")
        mac4 = L.ex(L.ns4, f"cat /sys/class/net/a4{L.tag}/address").stdout.strip()
        mac6 = L.ex(L.ns6, f"cat /sys/class/net/a6{L.tag}/address").stdout.strip()
        # Sinks: addresses nobody owns, resolved statically, so the receiving veth counts
        # the packets and the kernel (not forwarding) drops them without answering.
        L.ex(L.nsx, f"ip neigh replace {SINK4} lladdr {mac4} dev b4{L.tag} nud permanent")
        L.ex(L.nsx, f"ip -6 neigh replace {SINK6_NATIVE} lladdr {mac4} dev b4{L.tag} nud permanent")
        L.ex(L.nsx, f"ip -6 neigh replace {SINK_V6_SIDE} lladdr {mac6} dev b6{L.tag} nud permanent")
        for ns in (L.ns4, L.ns6):
            L.ex(ns, "sysctl -qw net.ipv4.conf.all.forwarding=0 net.ipv6.conf.all.forwarding=0")
        if self.args.uplink_rps:
            # Receive packet steering on the translator box's two veths: what arrives there
            # (routing, translation, forwarding) runs on the mask's CPUs, the senders on
            # the others (--sender-cpus), for every column alike.
            for dev in (f"b6{L.tag}", f"b4{L.tag}"):
                L.ex(L.nsx, f"sh -c 'for q in /sys/class/net/{dev}/queues/rx-*/rps_cpus; "
                            f"do echo {self.args.uplink_rps} > $q; done'")

    def start(self, kind, workers, offload=True, fast=False):
        data = os.path.join(self.dir, f"data-{kind}{workers}")
        os.makedirs(data, exist_ok=True)
        conf = os.path.join(self.dir, f"{kind}{workers}.conf")
        text = extra_maps(self.args.maps) + CONF.format(data=data)
        if kind in ("xlatd", "baseline"):
            text += f"workers {workers}\noffload {'yes' if offload else 'no'}\nfast-path {'yes' if fast else 'no'}\n"
            if fast in ("ingress", "forward"):
                # The fast path on both uplinks' ingress too, before the first routing pass.
                text += f"fast-path-ingress b6{self.L.tag} b4{self.L.tag}\n"
            if fast == "forward":
                text += "fast-path-forward yes\n"
        with open(conf, "w") as f:
            f.write(text)
        if kind in ("xlatd", "baseline"):
            binary = self.args.xlatd if kind == "xlatd" else self.args.baseline
            argv = [binary, "-n", "--stdout", "-c", conf]
        else:
            argv = [shutil.which("tayga") or "/usr/sbin/tayga", "-d", "-c", conf]
        log = os.path.join(self.dir, f"{kind}{workers}{fast_suffix(fast)}.log")
        self.proc = self.L.start(argv, log)
        if kind in ("xlatd", "baseline"):
            self.L.wait_until_translating(self.proc, log)
        self.L.route_tun()
        if self.args.tun_rps:
            # Receive packet steering on the TUN: packets the fast path re-injects (and the
            # daemon writes) are processed on the CPUs of the mask, not the sender's.
            self.L.ex(self.L.nsx, "sh -c 'for q in /sys/class/net/nat64/queues/rx-*/rps_cpus; "
                                  f"do echo {self.args.tun_rps} > $q; done'")
        time.sleep(0.3)
        # Warm up: the IPv6 host's pool address, neighbours.
        self.L.ex(self.L.ns6, f"ping -c 2 -i 0.2 -W 1 {lab.v6_of('198.51.100.2')}", check=False)

    def stop(self):
        if self.proc:
            self.L.stop(self.proc)
            self.proc = None

    @staticmethod
    def busy_ticks():
        """Every CPU's non-idle time (user, nice, system, irq, softirq, steal), from
        /proc/stat: with the fast path the work is in the kernel, not in the process."""
        f = open("/proc/stat").readline().split()
        return sum(int(x) for x in f[1:4]) + sum(int(x) for x in f[6:9])

    def cpu_ticks(self):
        if not self.proc:
            return 0
        f = open(f"/proc/{self.proc.pid}/stat").read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12])  # utime + stime, all threads

    # --- measurements ---
    def rx(self, ns, dev):
        return int(self.L.ex(ns, f"cat /sys/class/net/{dev}/statistics/rx_packets").stdout)

    def udp(self, direction, size, translated):
        L = self.L
        if direction == "6to4":
            src_ns, dst = L.ns6, (lab.v6_of(SINK4) if translated else SINK6_NATIVE)
            rx_ns, rx_dev = L.ns4, f"a4{L.tag}"
            payload = size - 48  # size is the IPv6 packet
        else:
            src_ns, dst = L.ns4, ("192.168.255.77" if translated else SINK_V6_SIDE)
            rx_ns, rx_dev = L.ns6, f"a6{L.tag}"
            payload = size - (28 if translated else 48)  # the IPv4 (or native IPv6) packet
        # The sink drops what it receives at its tc ingress (the veth has counted it by
        # then): no host stack behind it pays a route lookup. Without this the IPv4 sink
        # costs more than the IPv6 one (an unforwarded IPv4 packet gets a route allocated
        # and freed each time, `perf` shows ip_route_input_slow and dst_destroy), which
        # charged every 6to4 cell with the sink's work and not the kernel baseline's.
        if self.args.sink_drop:
            L.ex(rx_ns, f"tc qdisc replace dev {rx_dev} clsact")
            L.ex(rx_ns, f"tc filter replace dev {rx_dev} ingress pref 1 bpf da obj {self.sink_obj} sec tc")
        before, cpu0, all0 = self.rx(rx_ns, rx_dev), self.cpu_ticks(), self.busy_ticks()
        try:
            pin = f"taskset -c {self.args.sender_cpus} " if self.args.sender_cpus else ""
            out = L.ex(src_ns, f"{pin}{self.args.udpgen} {dst} 9 {payload} {self.args.seconds} 64",
                       timeout=self.args.seconds + 30).stdout
        finally:
            if self.args.sink_drop:
                L.ex(rx_ns, f"tc qdisc del dev {rx_dev} clsact", check=False)
        busy = self.busy_ticks() - all0  # the sender's time included, for every translator alike
        time.sleep(0.2)
        got, cpu = self.rx(rx_ns, rx_dev) - before, self.cpu_ticks() - cpu0
        sent = int(out.split()[1])
        secs = float(out.split()[4])
        return {"pps": got / secs, "sent_pps": sent / secs,
                "cpu_ns_per_pkt": (cpu / HZ * 1e9 / got) if (got and translated) else None,
                "all_cpu_ns_per_pkt": (busy / HZ * 1e9 / got) if got else None}

    def tcp(self, direction, streams, translated):
        L = self.L
        dst = lab.v6_of("198.51.100.2") if translated else "2001:db8:2::2"
        server = subprocess.Popen(["ip", "netns", "exec", L.ns4, "iperf3", "-s", "-1", "-p", "5201"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        cpu0 = self.cpu_ticks()
        try:
            r = L.ex(L.ns6, f"iperf3 -c {dst} -p 5201 -t {self.args.seconds} -P {streams} -J"
                            f"{' -R' if direction == '4to6' else ''}", timeout=self.args.seconds + 30, check=False)
        finally:
            server.wait(timeout=10) if server.poll() is None else None
        cpu = self.cpu_ticks() - cpu0
        try:
            bps = json.loads(r.stdout)["end"]["sum_received"]["bits_per_second"]
        except (ValueError, KeyError):
            bps = 0.0
        return {"gbps": bps / 1e9, "cpu_s": cpu / HZ}

    def latency(self, direction, translated):
        """RTT percentiles of pings sent every 10 ms during a single-stream TCP transfer.
        6to4: the IPv6 host pings the IPv4 host while sending to it; 4to6: the IPv4 host
        pings the IPv6 host while the transfer flows its way (iperf3 -R)."""
        L = self.L
        dst = lab.v6_of("198.51.100.2") if translated else "2001:db8:2::2"
        if direction == "6to4":
            ping_ns, ping_dst = L.ns6, dst
        else:
            ping_ns, ping_dst = L.ns4, ("192.168.255.10" if translated else "2001:db8:1::10")
        server = subprocess.Popen(["ip", "netns", "exec", L.ns4, "iperf3", "-s", "-1", "-p", "5202"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        load = subprocess.Popen(["ip", "netns", "exec", L.ns6, "iperf3", "-c", dst, "-p", "5202", "-t",
                                 str(self.args.seconds)] + (["-R"] if direction == "4to6" else []),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        n = int(max(1, self.args.seconds - 1) * 100)
        out = L.ex(ping_ns, f"ping -i 0.01 -c {n} -W 1 {ping_dst}", check=False,
                   timeout=self.args.seconds + 30).stdout
        load.wait(timeout=self.args.seconds + 30)
        server.wait(timeout=10)
        rtts = sorted(float(l.split("time=")[1].split()[0]) for l in out.splitlines() if "time=" in l)
        if not rtts:
            return {"p50_ms": None, "p99_ms": None}
        return {"p50_ms": rtts[len(rtts) // 2], "p99_ms": rtts[min(len(rtts) - 1, int(len(rtts) * 0.99))]}


WORKLOADS = [
    ("tcp1", "6to4"), ("tcp1", "4to6"), ("tcp8", "6to4"), ("tcp8", "4to6"),
    ("udp64", "6to4"), ("udp64", "4to6"), ("udp1400", "6to4"), ("udp1400", "4to6"), ("latency", "6to4"),
    ("latency", "4to6"),
]


def extra_maps(n):
    """n static maps for hosts nobody uses, 10.0.0.1 <-> 2001:db8:ff::1 onwards."""
    lines = []
    for i in range(1, n + 1):
        a, b, c = i >> 16, (i >> 8) & 0xff, i & 0xff
        lines.append(f"map 10.{a}.{b}.{c} 2001:db8:ff::{a:x}:{b:x}:{c:x}\n")
    return "".join(lines)


def measure(b, workload, direction, translated):
    if workload.startswith("tcp"):
        return b.tcp(direction, int(workload[3:]), translated)
    if workload.startswith("udp"):
        return b.udp(direction, int(workload[3:]), translated)
    return b.latency(direction, translated)


def median_of(runs, key):
    vals = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(vals) if vals else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xlatd", required=True)
    ap.add_argument("--udpgen", required=True)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--out", default="build-perf")
    ap.add_argument("--sink-drop", choices=("yes", "no"), default="yes",
                    help="UDP sinks drop at their tc ingress (default), or in their IP stack")
    ap.add_argument("--tun-rps", help="a CPU mask (hex) for the TUN's rps_cpus, e.g. 3")
    ap.add_argument("--uplink-rps", help="a CPU mask (hex) for the translator box's veths' rps_cpus, e.g. 2")
    ap.add_argument("--sender-cpus", help="CPUs (taskset -c list) for the UDP sender, e.g. 0")
    ap.add_argument("--workloads", help="comma-separated workload names, e.g. udp64,tcp1")
    ap.add_argument("--maps", type=int, default=0, help="extra static maps in every tayga.conf")
    ap.add_argument("--only", help="comma-separated translators, measured in this order: kernel,xlatd1,xlatd2,"
                                   "xlatd1-fast,xlatd2-fast,xlatd1-ingress,xlatd2-ingress,xlatd1-forward,"
                                   "xlatd2-forward,xlatd1-plain,baseline1,baseline2,tayga")
    ap.add_argument("--baseline", help="another xlatd binary, measured in the same run")
    args = ap.parse_args()
    args.sink_drop = args.sink_drop == "yes"
    args.xlatd, args.udpgen = os.path.abspath(args.xlatd), os.path.abspath(args.udpgen)
    if os.geteuid() != 0:
        print("perf.py needs root (network namespaces, TUN)")
        return 1
    os.makedirs(args.out, exist_ok=True)
    # (kind, workers, offload, fast path): xlatd with TUN offloads (the default) and
    # without, with the kernel fast path (fast-path yes) and without, and on the uplinks
    # too ("ingress": fast-path-ingress; "forward": and fast-path-forward).
    translators = [("kernel", 0, False, False), ("xlatd", 1, True, False), ("xlatd", 2, True, False),
                   ("xlatd", 1, True, True), ("xlatd", 2, True, True), ("xlatd", 1, True, "ingress"),
                   ("xlatd", 2, True, "ingress"), ("xlatd", 1, True, "forward"), ("xlatd", 2, True, "forward"),
                   ("xlatd", 1, False, False),
                   ("tayga", 0, False, False)]
    if args.baseline:
        args.baseline = os.path.abspath(args.baseline)
        translators[9:9] = [("baseline", 1, True, False), ("baseline", 2, True, False)]
    if args.only:
        # In the order --only names them (a before/after pair can be run both ways round).
        def key(t):
            if t[3]:
                return f"{t[0]}{t[1]}{fast_suffix(t[3])}"
            return f"{t[0]}{t[1] or ''}{'' if t[2] or t[0] not in ('xlatd', 'baseline') else '-plain'}"
        by_key = {key(t): t for t in translators}
        translators = [by_key[w] for w in args.only.split(",") if w in by_key]
    b = Bench(args)
    rows = []
    try:
        b.up()
        for kind, workers, offload, fast in translators:
            name = {"xlatd": f"xlatd w{workers}" + ("" if offload else " plain") + fast_suffix(fast).replace("-", " "),
                    "baseline": f"base w{workers}"}.get(kind, kind)
            if kind != "kernel":
                b.start(kind, workers, offload, fast)
            for workload, direction in WORKLOADS:
                if args.workloads and workload not in args.workloads.split(","):
                    continue
                runs = [measure(b, workload, direction, kind != "kernel") for _ in range(args.repeats)]
                row = {"translator": name, "workload": workload, "direction": direction}
                for key in runs[0]:
                    row[key] = median_of(runs, key)
                rows.append(row)
                print(json.dumps(row), flush=True)
            b.stop()
    finally:
        b.stop()
        b.L.down()
    report(rows, args)
    return 0


def fmt(v, unit):
    if v is None:
        return "-"
    if unit == "gbps":
        return f"{v:.2f}"
    if unit == "pps":
        return f"{v / 1e3:.0f}k"
    if unit == "ns":
        return f"{v:.0f}"
    return f"{v:.2f}"


def report(rows, args):
    keys = ["translator", "workload", "direction", "gbps", "cpu_s", "pps", "sent_pps", "cpu_ns_per_pkt",
            "all_cpu_ns_per_pkt", "p50_ms", "p99_ms"]
    path = os.path.join(args.out, "perf.csv")
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k) for k in keys})
    names = list(dict.fromkeys(r["translator"] for r in rows))
    cells = {(r["translator"], r["workload"], r["direction"]): r for r in rows}
    print(f"\nstatic maps in tayga.conf: {args.maps} extra + 2")
    print(f"\n{'workload':18s}" + "".join(f"{n:>14s}" for n in names))
    for workload, direction in WORKLOADS:
        line = f"{workload + ' ' + direction:18s}"
        for n in names:
            r = cells.get((n, workload, direction), {})
            if workload.startswith("tcp"):
                line += f"{fmt(r.get('gbps'), 'gbps') + ' Gb/s':>14s}"
            elif workload.startswith("udp"):
                line += f"{fmt(r.get('pps'), 'pps') + ' pps':>14s}"
            else:
                line += f"{fmt(r.get('p50_ms'), 'ms') + '/' + fmt(r.get('p99_ms'), 'ms') + ' ms':>14s}"
        print(line)
    line = f"{'CPU ns/pkt udp64':18s}"
    for n in names:
        v = [cells.get((n, 'udp64', d), {}).get("cpu_ns_per_pkt") for d in ("6to4", "4to6")]
        line += f"{'/'.join(fmt(x, 'ns') for x in v):>14s}"
    print(line)
    line = f"{'all CPUs ns/pkt':18s}"
    for n in names:
        v = [cells.get((n, 'udp64', d), {}).get("all_cpu_ns_per_pkt") for d in ("6to4", "4to6")]
        line += f"{'/'.join(fmt(x, 'ns') for x in v):>14s}"
    print(line)
    # Ratios the issue asks for.
    def get(n, w, d, k):
        return cells.get((n, w, d), {}).get(k)
    for x in [n for n in names if n.startswith(("xlatd", "base"))]:
        for w, d, k in [(w, d, "gbps") for w in ("tcp1", "tcp8") for d in ("6to4", "4to6")] + \
                       [(w, d, "pps") for w in ("udp64", "udp1400") for d in ("6to4", "4to6")]:
            xv, tv, kv = get(x, w, d, k), get("tayga", w, d, k), get("kernel", w, d, k)
            parts = []
            if xv and tv:
                parts.append(f"{xv / tv:.2f}x TAYGA")
            if xv and kv:
                parts.append(f"{100 * xv / kv:.0f}% of kernel routing")
            print(f"{x} {w} {d}: " + ", ".join(parts))
        for d in ("6to4", "4to6"):
            xc, tc = get(x, "udp64", d, "cpu_ns_per_pkt"), get("tayga", "udp64", d, "cpu_ns_per_pkt")
            if xc and tc:
                print(f"{x} CPU per packet udp64 {d}: {xc:.0f} ns vs TAYGA {tc:.0f} ns ({xc / tc:.2f}x)")
            xa, ta = get(x, "udp64", d, "all_cpu_ns_per_pkt"), get("tayga", "udp64", d, "all_cpu_ns_per_pkt")
            if xa and ta:
                print(f"{x} all CPUs per delivered packet udp64 {d}: {xa:.0f} ns vs TAYGA {ta:.0f} ns ({xa / ta:.2f}x)")
    print(f"\nCSV: {path}")
    plot(rows, names, args)


def plot(rows, names, args):
    if not shutil.which("gnuplot"):
        print("gnuplot not found: no plot")
        return
    data = os.path.join(args.out, "perf.dat")
    cells = {(r["translator"], r["workload"], r["direction"]): r for r in rows}
    with open(data, "w") as f:
        f.write("workload " + " ".join(f'"{n}"' for n in names) + "\n")
        for w, d in WORKLOADS:
            if w == "latency":
                continue
            key = "gbps" if w.startswith("tcp") else "pps"
            scale = 1 if key == "gbps" else 1e-6
            vals = [cells.get((n, w, d), {}).get(key) or 0 for n in names]
            f.write(f'"{w} {d}" ' + " ".join(f"{v * scale:.4f}" for v in vals) + "\n")
    png = os.path.join(args.out, "perf.png")
    script = f"""set terminal pngcairo size 1200,600 noenhanced
set output '{png}'
set title 'xlatd vs TAYGA vs kernel routing (TCP: Gbit/s, UDP: Mpps), 2-core VM'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set xtics rotate by -30
set key top right
set grid ytics
plot for [i=2:{len(names) + 1}] '{data}' using i:xtic(1) title columnheader(i)
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=False)
    print(f"plot: {png}")


if __name__ == "__main__":
    sys.exit(main())
