#!/usr/bin/python3
"""Runs one program of TAYGA's own integration suite with xlatd as ./tayga and judges it.

The suite (../shared/conformance/tayga-suite, read-only) is copied to a temporary
DIR/test/, DIR/tayga is a symlink to xlatd, and the program runs as root inside a
network namespace made for it and deleted afterwards (the suite's README says how).

Passes when the program ran to its totals and every failed case is either one the suite
fails on purpose (a literal test.tfail(...) in its source: not implemented in TAYGA
either) or a row of tayga_differences.tsv (a case xlatd fails because an RFC asks for the
other behaviour); fails too when such a row passes (the table is stale), and when the
passes plus the listed differences fall short of TAYGA's own pass count.

  tayga_suite.py --xlatd BIN --suite DIR --differences TSV PROGRAM
Exit 77 (skipped) without root.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from runner import skipped  # noqa: E402


def read_differences(path, program):
    rows = set()
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 5:
                sys.exit(f"{path}: expected 5 tab-separated columns: {line!r}")
            if cols[0] == program:
                rows.add((cols[1], cols[2]))
    return rows


def suite_own_failures(source):
    """Case names the program fails unconditionally: test.tfail("NAME", ...)."""
    with open(source) as f:
        return set(re.findall(r'test\.tfail\(\s*"([^"]+)"', f.read()))


def parse_log(text):
    """(section, case) -> list of outcomes, and the totals line."""
    results, pending = [], []
    for line in text.splitlines():
        m = re.match(r"^(PASS|FAIL): (.*?)(?: - (.*))?$", line)
        if m:
            pending.append((m.group(1), m.group(2), m.group(3) or ""))
            continue
        m = re.match(r"^Test Section (.*)$", line)
        if m:
            pending = []
            results.append((m.group(1), pending))
    cases = []
    for section, items in results:
        for outcome, case, reason in items:
            cases.append((section, case, outcome, reason))
    passed = re.search(r"^Passed: (\d+) \(expected (\d+)\)$", text, re.M)
    failed = re.search(r"^Failed: (\d+) \(expected (\d+)\)$", text, re.M)
    return cases, passed, failed


# The programs whose cases send ordinary packets (TCP, UDP, Echo between mapped
# addresses), some of which the fast path must carry when it is on. The others send
# protocol 16 (CHAOS) payloads, which the fast path passes up as not ordinary.
KERNEL_CARRIES = {"translate"}

FAST_PATH_OFF = """#!/bin/sh
# xlatd as ./tayga with the kernel fast path off: the file -c names, plus `fast-path no`
# (the suite writes its tayga.conf anew for every case; the copy sits beside it).
first=1
for arg in "$@"; do
  if [ -n "$first" ]; then set --; first=; fi
  if [ "$prev" = "-c" ]; then
    cat "$arg" > "$arg.fast-path-no" && echo "fast-path no" >> "$arg.fast-path-no" || exit 1
    arg="$arg.fast-path-no"
  fi
  set -- "$@" "$arg"
  prev="$arg"
done
exec {xlatd} "$@"
"""


def write_fast_path_off_wrapper(path, xlatd):
    with open(path, "w") as f:
        f.write(FAST_PATH_OFF.replace("{xlatd}", xlatd))
    os.chmod(path, 0o755)


def who_translated(work):
    """What the daemon's exit lines (`counters: ...`, in the suite's own log of the
    translator's output) say: packets translated by the workers and by the kernel fast
    path, summed over every start of the translator."""
    total = {"daemon": 0, "kernel": 0, "runs": 0, "up": {}}
    for root, _dirs, files in os.walk(work):
        for name in files:
            if not name.endswith(".log"):
                continue
            with open(os.path.join(root, name), errors="replace") as f:
                for line in f:
                    if "counters:" not in line:
                        continue
                    total["runs"] += 1
                    for k in ("translated_6to4", "translated_4to6"):
                        total["daemon"] += sum(int(n) for n in re.findall(rf"(?<![-\w]){k} (\d+)", line))
                        total["kernel"] += sum(int(n) for n in re.findall(rf"fast-path-{k} (\d+)", line))
                    for why, n in re.findall(r"fast-path-up_(\w+) (\d+)", line):
                        total["up"][why] = total["up"].get(why, 0) + int(n)
    return total


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xlatd", required=True)
    ap.add_argument("--suite", required=True)
    ap.add_argument("--differences", required=True)
    ap.add_argument("--keep-log", help="copy the program's output here")
    ap.add_argument("--fast-path", choices=("default", "no"), default="default",
                    help="no: xlatd runs with `fast-path no` added to the suite's tayga.conf")
    ap.add_argument("program")
    a = ap.parse_args()
    if os.geteuid() != 0:
        return skipped("needs root (network namespaces, TUN devices)")
    source = os.path.join(a.suite, a.program + ".py")
    if not os.path.exists(source):
        print(f"{source}: not found (the shared/ folder beside the project)")
        return 1

    work = tempfile.mkdtemp(prefix=f"tayga-suite-{a.program}-")
    ns = f"tsuite{os.getpid()}"
    try:
        os.mkdir(os.path.join(work, "test"))
        for name in os.listdir(a.suite):
            if name.endswith(".py"):
                shutil.copy(os.path.join(a.suite, name), os.path.join(work, "test", name))
        if a.fast_path == "no":
            write_fast_path_off_wrapper(os.path.join(work, "tayga"), os.path.abspath(a.xlatd))
        else:
            os.symlink(os.path.abspath(a.xlatd), os.path.join(work, "tayga"))
        subprocess.run(["ip", "netns", "add", ns], check=True)
        run = subprocess.run(["timeout", "900", "ip", "netns", "exec", ns, "/usr/bin/python3",
                              f"test/{a.program}.py"], cwd=work, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        log = run.stdout
        carried = who_translated(work)
    finally:
        subprocess.run(["ip", "netns", "del", ns], stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
    if a.keep_log:
        with open(a.keep_log, "w") as f:
            f.write(log)

    cases, passed, failed = parse_log(log)
    if not passed or not failed:
        print(log[-4000:])
        print(f"{a.program}: aborted before its totals (exit {run.returncode})")
        return 1
    npass, tayga_pass = int(passed.group(1)), int(passed.group(2))
    differences = read_differences(a.differences, a.program)
    own = suite_own_failures(source)

    problems = []
    failed_keys = set()
    for section, case, outcome, reason in cases:
        if outcome != "FAIL":
            continue
        failed_keys.add((section, case))
        if case in own or (section, case) in differences:
            continue
        problems.append(f"FAIL [{section}] {case}: {reason}")
    for section, case in sorted(differences - failed_keys):
        problems.append(f"listed in {os.path.basename(a.differences)} but did not fail: [{section}] {case}")
    listed = len(differences & failed_keys)
    if npass + listed < tayga_pass:
        problems.append(f"{npass} passed + {listed} listed differences < TAYGA's {tayga_pass}")

    print(f"{a.program}: passed {npass}, failed {failed.group(1)} "
          f"(TAYGA: passed {tayga_pass}, failed {failed.group(2)}); "
          f"{listed} deliberate differences, {len(own)} cases the suite itself fails")
    print(f"{a.program}: translated by the daemon {carried['daemon']}, in the kernel fast path {carried['kernel']} "
          f"({carried['runs']} translator runs); passed up by the fast path: "
          + (", ".join(f"{k} {v}" for k, v in sorted(carried["up"].items()) if v) or "none"))
    # With the fast path on (the default), the kernel must have carried some of the
    # suite's ordinary packets; with it off, none.
    if a.fast_path == "no" and carried["kernel"] != 0:
        problems.append(f"fast-path no, yet the kernel translated {carried['kernel']} packets")
    if a.fast_path == "default" and a.program in KERNEL_CARRIES and carried["kernel"] == 0:
        problems.append("the fast path translated none of the suite's packets")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
