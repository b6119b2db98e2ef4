#!/usr/bin/python3
"""`xlatd --check-config` over every real configuration file of a shared corpus folder,
each verdict against a table (what TAYGA, or clatd, does with the file). A rejection must
give file:line; a file missing from the table, or a table row without its file, fails.

  config_corpus.py --xlatd BIN --corpus DIR --verdicts TSV [--clat]
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
        print(f"{name}: {got}" + (f" ({errors[0][len('xlatd: '):]})" if errors else ""))
    print(f"{accepted} of {len(files)} accepted, {len(problems)} problems")
    for p in problems:
        print("PROBLEM", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
