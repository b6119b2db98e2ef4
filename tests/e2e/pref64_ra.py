#!/usr/bin/python3
"""A PREF64 advertiser (RFC 8781), since Debian's radvd 2.19 cannot send the option.

Usage: pref64_ra.py IFACE FILE [SOURCE]
Every 3 s, and at once whenever FILE changes, sends one Router Advertisement from
SOURCE (default fe80::64; router lifetime 0, so it is nobody's default router) to
ff02::1 on IFACE carrying a PREF64 option for each "PREFIX LIFETIME" line of FILE.
"""
import os
import socket
import sys
import time

from scapy.all import Ether, IPv6, ICMPv6ND_RA, Raw, conf, sendp

conf.verb = 0


def pref64_option(prefix, lifetime):
    """RFC 8781 §4: type 38, length 2, 13-bit scaled lifetime (8 s units) + PLC, 96 bits."""
    addr, plen = prefix.split("/")
    plc = {96: 0, 64: 1, 56: 2, 48: 3, 40: 4, 32: 5}[int(plen)]
    scaled = min((int(lifetime) + 7) // 8, 0x1FFF)
    return bytes([38, 2]) + ((scaled << 3) | plc).to_bytes(2, "big") + socket.inet_pton(socket.AF_INET6, addr)[:12]


def main():
    iface, path = sys.argv[1], sys.argv[2]
    source = sys.argv[3] if len(sys.argv) > 3 else "fe80::64"
    last_mtime, last_sent = None, 0.0
    while True:
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            mtime = None
        now = time.time()
        if mtime is not None and (mtime != last_mtime or now - last_sent >= 3):
            opts = b"".join(pref64_option(*line.split()) for line in open(path) if line.strip())
            sendp(Ether(dst="33:33:00:00:00:01") / IPv6(src=source, dst="ff02::1", hlim=255) /
                  ICMPv6ND_RA(routerlifetime=0) / Raw(opts), iface=iface)
            last_mtime, last_sent = mtime, now
        time.sleep(0.2)


if __name__ == "__main__":
    main()
