#!/usr/bin/python3
"""The two ends of a paced TCP transfer whose bytes are compared, for the anycast tests.

    anycast_flows.py sink PORT OUT          accept one connection; OUT.progress holds the
                                            bytes received so far, OUT.done "BYTES SHA256
                                            PEER" at EOF or "error WHY"
    anycast_flows.py source DST PORT SIZE RATE SEED [SRC]
                                            send SIZE bytes drawn from SEED at RATE
                                            bytes/s (from SRC); print "BYTES SHA256" or
                                            exit 1 with the error
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


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "sink":
        sys.exit(sink(int(a[1]), a[2]))
    sys.exit(source(a[1], int(a[2]), int(a[3]), float(a[4]), int(a[5]), a[6] if len(a) > 6 else None))
