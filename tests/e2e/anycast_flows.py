#!/usr/bin/python3
"""The two ends of a paced TCP transfer whose bytes are compared, for the anycast tests.

    anycast_flows.py sink PORT OUT          accept one connection; OUT.progress holds the
                                            bytes received so far, OUT.done "BYTES SHA256
                                            PEER" at EOF or "error WHY"
    anycast_flows.py source DST PORT SIZE RATE SEED [SRC]
                                            send SIZE bytes drawn from SEED at RATE
                                            bytes/s (from SRC); print "BYTES SHA256" or
                                            exit 1 with the error
    anycast_flows.py udpsink PORT OUT       count numbered datagrams until the END one;
                                            OUT.done: "SENT RECEIVED LONGEST-GAP" (packets)
    anycast_flows.py udpsource DST PORT RATE COUNT [SRC]
                                            COUNT numbered datagrams at RATE a second, then END
"""
import hashlib
import os
import random
import socket
import sys
import time


def write_atomically(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def sink(port, out):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(1)
    write_atomically(out + ".progress", "0")
    conn, peer = srv.accept()
    h, n, shown = hashlib.sha256(), 0, 0
    try:
        while True:
            b = conn.recv(1 << 16)
            if not b:
                break
            h.update(b)
            n += len(b)
            if n - shown >= 1 << 18:
                write_atomically(out + ".progress", str(n))
                shown = n
    except OSError as e:
        write_atomically(out + ".done", f"error {e} after {n} bytes from {peer[0]}")
        return 1
    write_atomically(out + ".progress", str(n))
    write_atomically(out + ".done", f"{n} {h.hexdigest()} {peer[0]}")
    conn.close()
    return 0


def source(dst, port, size, rate, seed, src=None):
    data = random.Random(seed).randbytes(size)
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    if src:
        s.bind((src, 0))
    sent = 0
    try:
        s.connect((dst, port))
        start, chunk = time.monotonic(), 1 << 15
        while sent < size:
            # Paced: never ahead of RATE, so the transfer lasts long enough to be cut.
            ahead = sent / rate - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(ahead)
            s.sendall(data[sent:sent + chunk])
            sent += min(chunk, size - sent)
        s.shutdown(socket.SHUT_WR)
        s.recv(1)  # the sink closes after EOF: everything arrived
    except OSError as e:
        print(f"error {e} after {sent} bytes", flush=True)
        return 1
    print(f"{size} {hashlib.sha256(data).hexdigest()}", flush=True)
    return 0


def udpsink(port, out):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    write_atomically(out + ".ready", "")
    seen, total = set(), None
    while total is None:
        b = s.recv(64)
        if b.startswith(b"END "):
            total = int(b.split()[1])
        else:
            seen.add(int(b))
    # The longest run of numbers that never came: the outage, in packets.
    longest = run = 0
    for i in range(total):
        run = 0 if i in seen else run + 1
        longest = max(longest, run)
    write_atomically(out + ".done", f"{total} {len(seen)} {longest}")
    return 0


def udpsource(dst, port, rate, count, src=None):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    if src:
        s.bind((src, 0))
    start = time.monotonic()
    for i in range(count):
        ahead = i / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
        try:
            s.sendto(b"%d" % i, (dst, port))
        except OSError:
            pass  # no route for a moment: that datagram is lost, as on a wire
    for _ in range(5):  # the END marker, repeated in case one is lost
        time.sleep(0.05)
        s.sendto(b"END %d" % count, (dst, port))
    return 0


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "sink":
        sys.exit(sink(int(a[1]), a[2]))
    if a[0] == "udpsink":
        sys.exit(udpsink(int(a[1]), a[2]))
    if a[0] == "udpsource":
        sys.exit(udpsource(a[1], int(a[2]), float(a[3]), int(a[4]), a[5] if len(a) > 5 else None))
    sys.exit(source(a[1], int(a[2]), int(a[3]), float(a[4]), int(a[5]), a[6] if len(a) > 6 else None))
