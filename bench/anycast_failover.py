#!/usr/bin/python3
"""Failover and scale-out of the anycast PLAT cluster (tests/e2e/anycast_lab.py), as root.

Failover: two constant-rate UDP streams from h6 to h4 (numbered datagrams), one hashed
onto the PLAT that fails, one onto a survivor; the failure comes a fixed number of
datagrams in. Reported: the longest run of datagrams lost by each stream, as time at
the stream's rate. Failures:
  - kill:   SIGKILL of xlatd on the PLAT (its TUN goes, BIRD withdraws at once);
  - freeze: the whole PLAT stops sending anything (BGP, BFD, forwarded packets) with
            its links up, as a hung box: found by the BGP hold timer (9 s here), or by
            BFD (3 x 100 ms) when `--bfd` sessions run beside BGP.
Scale-out: iperf3, 8 TCP streams 6->4 for SECONDS, through 1, 2 and 3 PLATs, ar hashing
on the 5-tuple so the streams spread.

    sudo /usr/bin/python3 bench/anycast_failover.py --xlatd build-release/xlatd
"""
import argparse
import json
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from anycast_lab import AnycastLab, H4, nat64  # noqa: E402

FLOWS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e", "anycast_flows.py")
PY = "/usr/bin/python3"


def failover(xlatd, how, bfd, rate, seconds, at):
    lab = AnycastLab(2, "eam", xlatd, tag="xb", bfd=bfd)
    try:
        lab.up()
        placed = lab.sources_on_distinct_plats(2)
        if len(placed) != 2:
            raise RuntimeError(f"could not place two sources on two PLATs: {placed}")
        victim, survivor = 1, 2
        count = int(rate * seconds)
        streams = {}
        for role, k, port in (("victim", victim, 6001), ("survivor", survivor, 6002)):
            out = os.path.join(lab.state, f"udp-{role}")
            lab.spawn(lab.h4, f"udp-{role}-sink", [PY, FLOWS, "udpsink", str(port), out])
            lab.wait_for(f"{role} sink", lambda o=out: os.path.exists(o + ".ready"), 10)
            p = subprocess.Popen(["ip", "netns", "exec", lab.h6, PY, FLOWS, "udpsource", nat64(H4), str(port),
                                  str(rate), str(count), placed[k]])
            streams[role] = (p, out)
        # The failure once the victim's stream is `at` seconds in (its sink's count is
        # not visible while it runs; the sender's clock is: `at` seconds after start).
        lab.wait_for("the streams under way", lambda: lab.translated(victim)[0] > rate * at, seconds)
        if how == "kill":
            lab.kill(f"xlatd{victim}", signal.SIGKILL)
        else:
            lab.freeze(victim)
        result = {}
        for role, (p, out) in streams.items():
            p.wait(timeout=seconds + 30)
            lab.wait_for(f"{role} verdict", lambda o=out: os.path.exists(o + ".done"), 15)
            sent, got, gap = (int(x) for x in open(out + ".done").read().split())
            result[role] = {"sent": sent, "received": got, "longest_gap": gap, "outage_ms": gap * 1000.0 / rate}
        return result
    finally:
        lab.down()


def scale(xlatd, plats, seconds):
    lab = AnycastLab(plats, "eam", xlatd, tag="xs")
    try:
        lab.up()
        lab.ex(lab.ar, "sysctl -qw net.ipv6.fib_multipath_hash_policy=1")
        lab.spawn(lab.h4, "iperf3", ["iperf3", "-s", "-1"])
        lab.wait_for("iperf3 server", lambda: ":5201" in lab.ex(lab.h4, "ss -ltnH", check=False).stdout, 10)
        r = lab.ex(lab.h6, f"iperf3 -J -c {nat64(H4)} -P 8 -t {seconds}", timeout=seconds + 30).stdout
        gbps = json.loads(r)["end"]["sum_received"]["bits_per_second"] / 1e9
        per_plat = {k: lab.translated(k)[0] for k in range(1, plats + 1)}
        return gbps, per_plat
    finally:
        lab.down()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xlatd", required=True)
    ap.add_argument("--rate", type=float, default=2000, help="datagrams a second per stream")
    ap.add_argument("--seconds", type=float, default=14)
    ap.add_argument("--at", type=float, default=3, help="seconds into the stream the failure comes")
    ap.add_argument("--scale-seconds", type=int, default=5)
    ap.add_argument("--skip-scale", action="store_true")
    a = ap.parse_args()
    xlatd = os.path.abspath(a.xlatd)
    print(f"failover: 2 PLATs, EAM, UDP {a.rate:.0f} datagrams/s per stream, failure {a.at:.0f} s in")
    print("| failure | detection | victim's stream: lost, longest outage | survivor's stream: lost |")
    print("|---|---|---|---|")
    for how, bfd, label in (("kill", False, "BIRD withdraws (TUN gone)"), ("freeze", False, "BGP hold timer 9 s"),
                            ("freeze", True, "BFD 3 x 100 ms")):
        r = failover(xlatd, how, bfd, a.rate, a.seconds, a.at)
        v, s = r["victim"], r["survivor"]
        print(f"| {'SIGKILL of xlatd' if how == 'kill' else 'whole PLAT hangs'} | {label} | "
              f"{v['sent'] - v['received']} of {v['sent']}, {v['outage_ms']:.1f} ms | "
              f"{s['sent'] - s['received']} of {s['sent']} |", flush=True)
    if a.skip_scale:
        return 0
    print(f"\nscale-out: iperf3 8 TCP streams 6->4, {a.scale_seconds} s, ar hashing on the 5-tuple")
    print("| PLATs | Gb/s | packets translated 6->4 per PLAT |")
    print("|---|---|---|")
    for n in (1, 2, 3):
        gbps, per = scale(xlatd, n, a.scale_seconds)
        print(f"| {n} | {gbps:.1f} | {' / '.join(str(per[k]) for k in sorted(per))} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
