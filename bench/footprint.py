#!/usr/bin/python3
"""Start-up time and resident size of xlatd with big tables (issue 16): N static maps
(`map 10.a.b.c 2001:db8:ff::a:b:c`) and a dynamic pool of 2^20 addresses (100.64.0.0/12),
first empty, then with a dynamic.map holding every other address (2^19 hosts); then a
SIGHUP reload of a map-file of N entries (from the signal to its log line).

    footprint.py --xlatd PATH [--maps N]      (root: a network namespace and a TUN)

Start-up is from exec to the "translating on" line; resident size is VmRSS then.
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time


def wait_line(path, text, proc, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in open(path).read():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xlatd", required=True)
    ap.add_argument("--maps", type=int, default=100000)
    ap.add_argument("--pool", default="100.64.0.0/12", help="dynamic-pool (the dynamic.map case needs the /12)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("footprint.py needs root")
        return 1
    d = tempfile.mkdtemp(prefix="xlatd-footprint-")
    data = os.path.join(d, "data")
    os.makedirs(data)
    conf = os.path.join(d, "tayga.conf")
    with open(conf, "w") as f:
        f.write(f"tun-device fptun\nipv4-addr 192.168.255.1\nprefix 2001:db8:64::/96\n"
                f"dynamic-pool {args.pool}\ndata-dir {data}\n")
        for i in range(1, args.maps + 1):
            a, b, c = i >> 16, (i >> 8) & 255, i & 255
            f.write(f"map 10.{a}.{b}.{c} 2001:db8:ff::{a:x}:{b:x}:{c:x}\n")
    half = os.path.join(d, "half.map")
    now = int(time.time()) - 60
    with open(half, "w") as f:
        for i in range(1 << 19):
            v = (100 << 24) | (64 << 16) | (2 * i + 1)
            f.write(f"{v >> 24}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}\t"
                    f"2001:db8:100::{i >> 16:x}:{i & 0xffff:x}\t{now}\n")
    ns = f"fp{os.getpid() % 10000}"
    subprocess.run(["ip", "netns", "add", ns], check=True)
    print(f"machine: {os.cpu_count()} CPUs; {args.maps} static maps, dynamic-pool {args.pool}")
    try:
        variants = ["empty pool"] + (["2^19 hosts in dynamic.map"] if args.pool == "100.64.0.0/12" else [])
        for variant in variants:
            mapfile = os.path.join(data, "dynamic.map")
            if os.path.exists(mapfile):
                os.unlink(mapfile)
            if variant != "empty pool":
                with open(half) as src, open(mapfile, "w") as dst:
                    dst.write(src.read())
            log = os.path.join(d, "log")
            t0 = time.monotonic()
            with open(log, "w") as out:
                p = subprocess.Popen(["ip", "netns", "exec", ns, args.xlatd, "-d", "-c", conf,
                                      "--control-socket", os.path.join(d, "c.sock")], stdout=out, stderr=subprocess.STDOUT)
            ok = wait_line(log, "translating on", p, 120)
            took = time.monotonic() - t0
            rss = [l for l in open(f"/proc/{p.pid}/status") if l.startswith("VmRSS")] if ok else ["?"]
            print(f"{variant}: start-up {took:.2f} s, {rss[0].split(':')[1].strip() if ok else 'did not start'}")
            p.terminate()
            p.wait(timeout=60)
            if not ok:
                print(open(log).read()[-2000:])
                return 1
        # A SIGHUP reload of a map-file of as many entries (172.16.0.0/12 <-> 2001:db8:fe::).
        mf = os.path.join(data, "maps.conf")

        def write_map_file(n):
            with open(mf, "w") as f:
                for i in range(1, n + 1):
                    a, b, c = i >> 16, (i >> 8) & 255, i & 255
                    f.write(f"map 172.{16 + a}.{b}.{c} 2001:db8:fe::{a:x}:{b:x}:{c:x}\n")
        write_map_file(args.maps)
        with open(conf, "a") as f:
            f.write("map-file maps.conf\n")
        log = os.path.join(d, "log")
        with open(log, "w") as out:
            p = subprocess.Popen(["ip", "netns", "exec", ns, args.xlatd, "-d", "-c", conf,
                                  "--control-socket", os.path.join(d, "c.sock")], stdout=out, stderr=subprocess.STDOUT)
        if not wait_line(log, "translating on", p, 120):
            print(open(log).read()[-2000:])
            return 1
        write_map_file(args.maps + 1)
        t0 = time.monotonic()
        p.send_signal(signal.SIGHUP)
        ok = wait_line(log, f"SIGHUP: {args.maps + 1} map-file entries loaded", p, 120)
        print(f"SIGHUP reload of {args.maps + 1} map-file entries: "
              + (f"{time.monotonic() - t0:.2f} s" if ok else "failed: " + open(log).read()[-1000:]))
        p.terminate()
        p.wait(timeout=60)
    finally:
        subprocess.run(["ip", "netns", "del", ns])
        subprocess.run(["rm", "-rf", d])
    return 0


if __name__ == "__main__":
    sys.exit(main())
