"""Sends malformed packets into the translator's TUN from inside the translator
namespace (raw sockets, routed into the TUN like any transit packet): truncated and
oversized headers, bad lengths and checksums, every protocol number, random extension
header chains, ICMP errors inside errors, random bytes behind valid headers.

    garbage.py COUNT SEED     (run inside the translator namespace)
Prints how many packets it sent.
"""
import random
import sys

from scapy.all import (ICMP, IP, TCP, UDP, ICMPv6DestUnreach, ICMPv6EchoRequest, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, Raw, conf, raw)
import socket

conf.verb = 0
PREFIX = "2001:db8:64::"


def v6_dst(rng):
    # IPv4 side addresses under the prefix (never the static map: no hairpin).
    return f"{PREFIX}c633:64{rng.randrange(2, 250):02x}"


def v4_dst(rng):
    # Mostly the static map (so 4->6 goes deep), sometimes an unassigned pool address.
    return "192.168.255.10" if rng.random() < 0.8 else f"192.168.255.{rng.randrange(2, 250)}"


def junk(rng, n):
    return bytes(rng.getrandbits(8) for _ in range(n))


def make(rng):
    kind = rng.randrange(12)
    if kind == 0:  # IPv4, any protocol, random payload
        return 4, raw(IP(src="198.51.100.2", dst=v4_dst(rng), proto=rng.randrange(256),
                         ttl=rng.randrange(0, 256)) / Raw(junk(rng, rng.randrange(0, 200))))
    if kind == 1:  # IPv6, any next header, random payload
        return 6, raw(IPv6(src="2001:db8:1::2", dst=v6_dst(rng), nh=rng.randrange(256),
                           hlim=rng.randrange(0, 256)) / Raw(junk(rng, rng.randrange(0, 200))))
    if kind == 2:  # IPv4 with a lying total length / IHL / random options
        p = bytearray(raw(IP(src="198.51.100.2", dst=v4_dst(rng)) / UDP() / Raw(junk(rng, 40))))
        p[0] = 0x40 | rng.randrange(16)
        p[2:4] = rng.randrange(65536).to_bytes(2, "big")
        return 4, bytes(p)
    if kind == 3:  # IPv6 with a lying payload length
        p = bytearray(raw(IPv6(src="2001:db8:1::2", dst=v6_dst(rng)) / UDP() / Raw(junk(rng, 40))))
        p[4:6] = rng.randrange(65536).to_bytes(2, "big")
        return 6, bytes(p)
    if kind == 4:  # random extension header chains, some truncated
        exts = [IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting, IPv6ExtHdrFragment]
        pkt = IPv6(src="2001:db8:1::2", dst=v6_dst(rng))
        for _ in range(rng.randrange(1, 5)):
            e = rng.choice(exts)
            pkt = pkt / (e(segleft=rng.randrange(3)) if e is IPv6ExtHdrRouting else e())
        b = raw(pkt / UDP() / Raw(junk(rng, 20)))
        return 6, b[:rng.randrange(40, len(b) + 1)]
    if kind == 5:  # ICMPv4 errors carrying garbage or errors
        inner = raw(IP(src=v4_dst(rng), dst="198.51.100.2") / ICMP(type=3) / Raw(junk(rng, 30)))
        return 4, raw(IP(src="198.51.100.2", dst=v4_dst(rng)) /
                      ICMP(type=rng.choice([3, 11, 12]), code=rng.randrange(16)) /
                      Raw(inner[:rng.randrange(0, len(inner) + 1)]))
    if kind == 6:  # ICMPv6 errors with junk inside
        return 6, raw(IPv6(src="2001:db8:1::2", dst=v6_dst(rng)) /
                      ICMPv6DestUnreach(code=rng.randrange(8)) / Raw(junk(rng, rng.randrange(0, 120))))
    if kind == 7:  # fragments of everything
        return 4, raw(IP(src="198.51.100.2", dst=v4_dst(rng), flags=rng.randrange(8),
                         frag=rng.randrange(8192), proto=rng.choice([1, 6, 17])) / Raw(junk(rng, 64)))
    if kind == 8:  # TCP / UDP cut short
        b = raw(IPv6(src="2001:db8:1::2", dst=v6_dst(rng)) / rng.choice([TCP(), UDP()]) / Raw(b"x"))
        return 6, b[:rng.randrange(40, len(b))]
    if kind == 9:  # zero UDP checksums
        p = bytearray(raw(IP(src="198.51.100.2", dst=v4_dst(rng)) / UDP(dport=9) / Raw(b"abcd")))
        p[26:28] = b"\0\0"
        return 4, bytes(p)
    if kind == 10:  # echo requests of odd sizes
        return 6, raw(IPv6(src="2001:db8:1::2", dst=v6_dst(rng)) / ICMPv6EchoRequest() /
                      Raw(junk(rng, rng.randrange(0, 1400))))
    return 4, raw(IP(src="198.51.100.2", dst=v4_dst(rng)) / Raw(junk(rng, rng.randrange(0, 1400))))


def main():
    count, seed = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_RAW)
    sent = 0
    for _ in range(count):
        fam, b = make(rng)
        try:
            if fam == 4:
                dst = socket.inet_ntoa(b[16:20]) if len(b) >= 20 else "192.168.255.2"
                s4.sendto(b, (dst, 0))
            else:
                dst = socket.inet_ntop(socket.AF_INET6, b[24:40]) if len(b) >= 40 else v6_dst(rng)
                s6.sendto(b, (dst, 0))
            sent += 1
        except OSError:
            pass  # the kernel refused this one itself: it never reached the TUN
    print(sent)


if __name__ == "__main__":
    main()
