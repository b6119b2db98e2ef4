#!/usr/bin/python3
"""Stateless PLATs behind BGP anycast and ECMP (tests/e2e/anycast_lab.py), as root:

EAM mode (one tayga.conf on every PLAT):
- every PLAT announces the NAT64 prefix and the EAM range, ar and v4r hold multipath
  routes over all of them, and ping crosses;
- a TCP transfer keeps going, byte for byte, when xlatd on the PLAT carrying it is
  killed with SIGKILL mid-stream: BIRD withdraws that PLAT's routes (its TUN went with
  the process), the flow moves to a survivor; a restart announces them again.
Pool mode (a dynamic pool on each PLAT, NAT44 to the PLAT's own public address):
- of two customers on different PLATs, killing one PLAT breaks only its customer's
  connection (the survivor has no state for it: the server sees a new IPv4 source and
  resets it); the other's transfer completes byte for byte; the dead PLAT's customer's
  new connection goes through a survivor.
"""
import argparse
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from runner import Checks, needs_root_and_tun, skipped  # noqa: E402
from anycast_lab import AnycastLab, H4, H6, nat64, public_of  # noqa: E402

FLOWS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "anycast_flows.py")
PY = "/usr/bin/python3"


class Transfer:
    """A paced TCP transfer from `src` in h6 to the sink on h4:`port`."""

    def __init__(self, lab, name, port, size, rate, seed, src):
        self.lab, self.out = lab, os.path.join(lab.state, name)
        self.sink = lab.spawn(lab.h4, f"{name}-sink", [PY, FLOWS, "sink", str(port), self.out])
        lab.wait_for(f"{name}'s sink listening",
                     lambda: f":{port}" in lab.ex(lab.h4, "ss -ltnH", check=False).stdout, 10)
        self.source = subprocess.Popen(
            ["ip", "netns", "exec", lab.h6, PY, FLOWS, "source", nat64(H4), str(port), str(size), str(rate),
             str(seed), src], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def received(self):
        try:
            return int(open(self.out + ".progress").read())
        except (OSError, ValueError):
            return 0

    def result(self, timeout=60, sink=True):
        """(source's line, sink's line) once both ended (the sink's only if asked: a sink
        whose peer vanished waits for it forever)."""
        sent = self.source.communicate(timeout=timeout)[0].strip()
        if not sink:
            return sent, None
        self.lab.wait_for("the sink's verdict", lambda: os.path.exists(self.out + ".done"), 15)
        return sent, open(self.out + ".done").read().strip()


def carrier(lab, before):
    """The PLAT whose 6→4 count grew since `before` (a dict k -> counts)."""
    now = {k: lab.translated(k) for k in before}
    grown = [k for k in before if now[k] and before[k] and now[k][0] > before[k][0]]
    return grown[0] if len(grown) == 1 else None


def counts(lab):
    return {k: lab.translated(k) for k in range(1, lab.n + 1)}


def eam_checks(checks, lab):
    def rfc7755_every_plat_announces_the_prefix():
        assert lab.paths() == list(range(1, lab.n + 1)), lab.paths()
        assert len(lab.v4_paths(1)) == lab.n, lab.v4_paths(1)
        r = lab.ex(lab.h6, f"ping -n -c 3 -i 0.2 -W 2 {nat64(H4)}", check=False).stdout
        assert " 3 received" in r, r

    def eam_transfer_survives_the_kill_of_its_plat():
        size = 24 << 20
        t = Transfer(lab, "eam", 5001, size, 8 << 20, 7, H6[0])  # 3 s at 8 MiB/s
        before = counts(lab)
        lab.wait_for("a quarter of the transfer", lambda: t.received() >= size // 4, 20)
        k = carrier(lab, before)
        assert k is not None, f"no single PLAT carried the flow: {before} -> {counts(lab)}"
        at_kill = t.received()
        lab.kill(f"xlatd{k}", signal.SIGKILL)
        lab.wait_for(f"PLAT {k}'s announcement withdrawn on ar", lambda: k not in lab.paths(), 10)
        survivors = [j for j in range(1, lab.n + 1) if j != k]
        assert lab.paths() == survivors, lab.paths()
        lab.wait_for(f"PLAT {k}'s IPv4 side withdrawn on v4r", lambda: f"10.0.{k}.2" not in lab.v4_paths(1), 10)
        after = {j: lab.translated(j) for j in survivors}
        sent, got = t.result()
        want_bytes, want_hash = sent.split()[:2]
        got_bytes, got_hash = got.split()[:2]
        assert (got_bytes, got_hash) == (want_bytes, want_hash), (sent, got)
        moved = carrier(lab, after)
        assert moved in survivors, f"no survivor carried the rest: {after} -> {counts(lab)}"
        print(f"  PLAT {k} killed at {at_kill} of {size} bytes; the rest went through PLAT {moved}; "
              f"sha256 {got_hash[:16]}... equal", flush=True)
        # Back: a restart announces it again, without touching BIRD.
        lab.start_xlatd(k)
        lab.wait_for(f"PLAT {k} announced again", lambda: lab.paths() == list(range(1, lab.n + 1)), 20)

    checks.run("rfc7755_every_plat_announces_the_prefix", rfc7755_every_plat_announces_the_prefix)
    checks.run("eam_transfer_survives_the_kill_of_its_plat", eam_transfer_survives_the_kill_of_its_plat)


def pool_checks(checks, lab):
    def pool_kill_loses_only_the_dead_plats_flows():
        # Two customers on different PLATs.
        placed = lab.sources_on_distinct_plats(2)
        assert len(placed) == 2, placed
        (dead, src_dead), (alive, src_alive) = sorted(placed.items())
        size = 24 << 20
        lost = Transfer(lab, "pool-dead", 5002, size, 4 << 20, 11, src_dead)
        kept = Transfer(lab, "pool-alive", 5003, size, 4 << 20, 12, src_alive)
        lab.wait_for("both transfers under way", lambda: lost.received() > size // 8 and kept.received() > size // 8, 20)
        lab.kill(f"xlatd{dead}", signal.SIGKILL)
        lab.wait_for(f"PLAT {dead} withdrawn", lambda: dead not in lab.paths(), 10)
        sent, got = kept.result()
        assert sent.split()[:2] == got.split()[:2], (sent, got)
        # The server saw the surviving PLAT's own public address (its NAT44), throughout.
        assert got.split()[2] == public_of(alive).split("/")[0], got
        sent_lost, _ = lost.result(sink=False)
        assert sent_lost.startswith("error"), f"the dead PLAT's flow survived: {sent_lost}"
        print(f"  PLAT {dead} killed: {src_dead}'s transfer ended '{sent_lost}'; {src_alive}'s through PLAT "
              f"{alive} completed, sha256 equal", flush=True)
        # The dead PLAT's customer starts over through the survivor.
        r = lab.ex(lab.h6, f"ping -n -c 3 -i 0.2 -W 2 -I {src_dead} {nat64(H4)}", check=False).stdout
        assert " 3 received" in r, r

    checks.run("pool_kill_loses_only_the_dead_plats_flows", pool_kill_loses_only_the_dead_plats_flows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xlatd", required=True)
    ap.add_argument("--plats", type=int, default=2)
    ap.add_argument("--only")
    a = ap.parse_args()
    status = needs_root_and_tun("the anycast tests")
    if status is not None:
        return status
    for tool in ("bird", "birdc"):
        if subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True).returncode != 0:
            return skipped(f"no {tool} (Debian's bird2; scripts/install-deps.sh installs it)")
    checks = Checks(a.only)
    for mode, run in (("eam", eam_checks), ("pool", pool_checks)):
        lab = AnycastLab(a.plats, mode, os.path.abspath(a.xlatd), tag=f"xt{mode[0]}")
        try:
            lab.up()
            run(checks, lab)
        except Exception as e:  # noqa: BLE001 - the lab itself failed: say so, as a check
            checks.record(f"{mode}_lab_up", False, f"{type(e).__name__}: {e}")
        finally:
            lab.down()
    return checks.summary()


if __name__ == "__main__":
    sys.exit(main())
