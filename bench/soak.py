#!/usr/bin/python3
"""Soak: xlatd under steady mixed load for a long time, sampling its resident memory
and open file descriptors. Memory must stay flat and descriptors must not grow.

    soak.py --xlatd PATH --udpgen PATH [--minutes 10] [--interval 30]

Load: a TCP stream each way in turns (iperf3), small UDP from udpgen, pings, a pool
assignment from a new IPv6 source every interval, SIGHUP every interval. Prints one line
per sample and a verdict; exits 1 if RSS grew by more than 10 % after the first sample
or the fd count changed.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import lab  # noqa: E402


def rss_kb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xlatd", required=True)
    ap.add_argument("--udpgen", required=True)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--interval", type=float, default=30)
    args = ap.parse_args()
    d = tempfile.mkdtemp(prefix="xlatd-soak-")
    conf = os.path.join(d, "tayga.conf")
    with open(conf, "w") as f:
        f.write(f"tun-device nat64\nipv4-addr 192.168.255.1\nprefix 2001:db8:64::/96\n"
                f"dynamic-pool 192.168.255.0/24\ndata-dir {d}/data\nmap 192.168.255.10 2001:db8:1::10\n"
                f"workers 2\n")
    L = lab.Lab(f"s{os.getpid() % 10000}")
    L.up()
    p = L.start([os.path.abspath(args.xlatd), "-n", "--stdout", "-c", conf], os.path.join(d, "xlatd.log"))
    L.route_tun()
    v4 = lab.v6_of("198.51.100.2")
    server = subprocess.Popen(["ip", "netns", "exec", L.ns4, "iperf3", "-s", "-p", "5201"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sink = subprocess.Popen(["ip", "netns", "exec", L.ns4, "/usr/bin/python3", "-c",
                             "import socket\ns=socket.socket();s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                             "s.bind(('198.51.100.2',9))\nwhile True: s.recv(2048)"])
    samples = []
    end = time.time() + args.minutes * 60
    i = 0
    try:
        time.sleep(1)
        while True:
            # A new IPv6 host borrows a pool address; the map-file is reloaded.
            addr = f"2001:db8:1::{0x100 + i:x}"
            L.ex(L.ns6, f"ip addr add {addr}/64 dev a6{L.tag} nodad", check=False)
            L.ex(L.ns6, f"ping -c 1 -W 1 -I {addr} {v4}", check=False)
            p.send_signal(1)
            load = [
                subprocess.Popen(["ip", "netns", "exec", L.ns6, "iperf3", "-c", v4, "-p", "5201", "-t",
                                  str(int(args.interval / 2))] + (["-R"] if i % 2 else []),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
                subprocess.Popen(["ip", "netns", "exec", L.ns6, os.path.abspath(args.udpgen), v4, "9", "16",
                                  str(args.interval / 2), "16"], stdout=subprocess.DEVNULL),
                subprocess.Popen(["ip", "netns", "exec", L.ns4, "ping", "-q", "-c", str(int(args.interval * 5)),
                                  "-i", "0.1", "192.168.255.10"], stdout=subprocess.DEVNULL),
            ]
            for q in load:
                q.wait(timeout=args.interval * 3)
            if p.poll() is not None:
                print("xlatd died")
                return 1
            s = (time.time(), rss_kb(p.pid), fds(p.pid))
            samples.append(s)
            print(f"sample {i}: rss {s[1]} kB, fds {s[2]}", flush=True)
            i += 1
            if time.time() >= end:
                break
    finally:
        server.kill()
        sink.kill()
        L.stop(p)
        L.down()
    first, last = samples[0], samples[-1]
    peak = max(s[1] for s in samples)
    grew = (peak - first[1]) / first[1] * 100
    fd_changes = {s[2] for s in samples}
    ok = grew <= 10 and len(fd_changes) == 1
    print(f"{len(samples)} samples over {(last[0] - first[0]) / 60:.1f} min: rss {first[1]} -> {last[1]} kB "
          f"(peak {peak}, +{grew:.1f} %), fds {sorted(fd_changes)}: {'FLAT' if ok else 'GREW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
