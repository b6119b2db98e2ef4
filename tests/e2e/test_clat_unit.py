#!/usr/bin/python3
"""The xlatd-clat@ unit's ExecStartPre line, run as systemd would run it (the instance
substituted for %i, $$ unescaped) on uplinks with long names, inside a namespace this
test makes: the CLAT's TUN name must be a valid interface name (<= 15 characters) for
any uplink name, and clat-dev in /etc/clatd.conf would still win.

Usage: test_clat_unit.py --xlatd PATH --unit BUILD/units/xlatd-clat@.service --installed /usr/sbin/xlatd
       (root; 77 otherwise)
"""
import argparse
import os
import re
import subprocess
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner import Checks, skipped  # noqa: E402

UPLINKS = ["eth0", "wwp0s20f0u6", "enx00e04c36a1b2", "wlx74da38e1f2ab"]


def exec_line(unit, key):
    for line in open(unit):
        if line.startswith(key + "="):
            return line[len(key) + 1:].strip()
    raise SystemExit(f"{unit}: no {key}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xlatd", required=True)
    ap.add_argument("--unit", required=True)
    ap.add_argument("--installed", default="/usr/local/sbin/xlatd", help="the binary path the unit names")
    a = ap.parse_args()
    if os.geteuid() != 0:
        return skipped("needs root")
    line = exec_line(a.unit, "ExecStartPre").replace(a.installed, os.path.abspath(a.xlatd))
    ns = f"unit{os.getpid()}"
    checks = Checks()
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        for i, name in enumerate(UPLINKS):
            checks.run(f"uplink {name} ({len(name)} characters)", clat_device_for, ns, line, i, name)
    finally:
        subprocess.run(["ip", "netns", "del", ns])
    return checks.summary()


def clat_device_for(ns, line, i, name):
    """Runs the unit's ExecStartPre for uplink `name`: (ok, the clat-dev it chose)."""
    subprocess.run(["ip", "-n", ns, "link", "add", name, "type", "veth", "peer", "name", f"peer{i}"], check=True)
    cmd = line.replace("%i", name).replace("$$", "$")
    # systemd splits the line into words; this one is /bin/sh -c '...'.
    m = re.match(r"^/bin/sh -c '(.*)'$", cmd)
    if not m:
        raise RuntimeError(f"unexpected ExecStartPre form: {cmd}")
    r = subprocess.run(["ip", "netns", "exec", ns, "/bin/sh", "-c", m.group(1)], capture_output=True, text=True)
    dev = re.search(r"^clat-dev=(\S+)$", r.stdout, re.M)
    ok = r.returncode == 0 and dev is not None and len(dev.group(1)) <= 15 and \
        re.search(rf"^plat-dev={re.escape(name)}$", r.stdout, re.M) is not None
    return ok, f"clat-dev={dev.group(1) if dev else None} {r.stderr.strip()[:200]}"


if __name__ == "__main__":
    sys.exit(main())
