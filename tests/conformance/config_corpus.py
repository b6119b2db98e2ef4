#!/usr/bin/python3
"""`xlatd --check-config` over every real configuration file of a shared corpus folder,
each verdict against a table (what TAYGA, or clatd, does with the file). A rejection must
give file:line; a file missing from the table, or a table row without its file, fails.

  config_corpus.py --xlatd BIN --corpus DIR --verdicts TSV [--clat] [--fast-path]

With --fast-path, every accepted file must also be one the kernel fast path mirrors
(--check-config says so), since it is on by default: an operator's file that turned it
off would lose the speed without a word.
"""
import argparse
import os
import re
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xlatd", required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--verdicts", required=True)
    ap.add_argument("--clat", action="store_true", help="clatd.conf files: xlatd --mode clat")
    ap.add_argument("--fast-path", action="store_true", help="every accepted file must have the fast path")
    a = ap.parse_args()
    mode = ["--mode", "clat"] if a.clat else []
    table = {}
    with open(a.verdicts) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, verdict, _why = (line.rstrip("\n").split("\t") + [""])[:3]
            table[name] = verdict
    files = sorted(n for n in os.listdir(a.corpus) if n.endswith(".conf"))
    problems = []
    for name in sorted(set(table) - set(files)):
        problems.append(f"{name}: in the table but not in the corpus")
    accepted = 0
    mirrored = 0
    for name in files:
        path = os.path.join(a.corpus, name)
        r = subprocess.run([a.xlatd] + mode + ["--check-config", "-c", path], capture_output=True, text=True)
        got = "accept" if r.returncode == 0 else "reject"
        accepted += got == "accept"
        want = table.get(name)
        errors = [l for l in r.stderr.splitlines() if l.startswith("xlatd: ") and "warning" not in l
                  and "nothing started" not in l]
        if want is None:
            problems.append(f"{name}: not in {os.path.basename(a.verdicts)} (xlatd: {got})")
        elif got != want:
            problems.append(f"{name}: xlatd {got}s, TAYGA {want}s: {r.stderr.strip()[:300]}")
        elif got == "reject" and not all(re.match(rf"xlatd: {re.escape(path)}:\d+: ", l) for l in errors):
            problems.append(f"{name}: an error without file:line: {errors}")
        fast = [l for l in r.stdout.splitlines() if l.startswith("# fast path: ")]
        if a.fast_path and got == "accept":
            if fast == ["# fast path: mirrors this configuration"]:
                mirrored += 1
            else:
                problems.append(f"{name}: the fast path does not mirror it: {fast}")
        print(f"{name}: {got}" + (f" ({errors[0][len('xlatd: '):]})" if errors else "") +
              (f" ({fast[0][2:]})" if fast and a.fast_path else ""))
    print(f"{accepted} of {len(files)} accepted" + (f", {mirrored} with the fast path" if a.fast_path else "") +
          f", {len(problems)} problems")
    for p in problems:
        print("PROBLEM", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
