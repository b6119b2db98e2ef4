"""The one runner of the end-to-end programs.

- Checks: named checks run one by one; each prints one PASS or FAIL line; a check that
  raises is a failed check (with its traceback), the rest still run; `--only` picks
  checks by name; summary() prints "N passed, N failed" and gives the exit status.
- skipped(): the exit status of a program that cannot run here (not root, no TUN, a peer
  program missing): 77, which ctest counts as skipped, except under CI=true, where a skip
  is a failure (CI must never go green without its end-to-end tests).
- needs_root_and_tun(): that check, done the same way by every program.
"""
import os
import traceback


def under_ci():
    return os.environ.get("CI") == "true"


def skipped(reason):
    if under_ci():
        print(f"FAIL: {reason}; under CI=true a skipped end-to-end program is a failure", flush=True)
        return 1
    print(f"SKIPPED: {reason}", flush=True)
    return 77


def needs_root_and_tun(what="end-to-end tests"):
    """None when this process may build namespaces and TUN devices, else the exit status."""
    if os.geteuid() != 0 or not os.path.exists("/dev/net/tun"):
        return skipped(f"{what} need root and /dev/net/tun (network namespaces, TUN devices)")
    return None


def pass_fail_line(name, ok, detail):
    return f"{'PASS' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else "")


class Checks:
    """A check is a function that returns (ok, detail), or returns nothing and asserts."""

    def __init__(self, only=None, line=pass_fail_line):
        self.only = set(only.split(",")) if only else None
        self.line = line
        self.passed = self.failed = 0
        self.results = {}  # (name, label) -> ok

    def wanted(self, name):
        return self.only is None or name in self.only

    def run(self, name, fn, *args, label=""):
        """Runs fn(*args) as the check `name` (skipped unless wanted); returns ok or None."""
        if not self.wanted(name):
            return None
        try:
            r = fn(*args)
            ok, detail = (True, "") if r is None else r
        except Exception as e:  # noqa: BLE001 - a check that crashes is a failed check
            ok, detail = False, f"{type(e).__name__}: {e}\n{traceback.format_exc()}"
        return self.record(name, ok, detail, label)

    def record(self, name, ok, detail="", label=""):
        """Counts and prints a result found some other way (e.g. across two runs)."""
        ok = bool(ok)
        self.results[(name, label)] = ok
        self.passed += ok
        self.failed += not ok
        print(self.line(f"{label} {name}" if label else name, ok, detail), flush=True)
        return ok

    def failures(self):
        return [f"{label} {name}".strip() for (name, label), ok in self.results.items() if not ok]

    def summary(self, note=""):
        print(f"{self.passed} passed, {self.failed} failed{note}", flush=True)
        return 0 if self.failed == 0 else 1
