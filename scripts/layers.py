#!/usr/bin/python3
"""Who may include whom: the layering of src/ (docs/architecture.md draws it).

    layers.py check [ROOT]   exit 1, naming each include that crosses the rules
    layers.py dot [ROOT]     the allowed graph with the includes actually used, for graphviz
    layers.py visible UNIT   the folders UNIT's include directory shows (CMake builds one per
                             folder from this: what it may use, and what those use in turn)

Folders are the units: `#include "runtime/x.hpp"` from src/plat/ is plat using runtime.
The core's public headers (include/xlat) are "xlat", its sources src/core.
"""
import os
import re
import sys

# Each folder and what it may use besides itself; nothing may use main.
ALLOWED = {
    "xlat": set(),                                  # the core: pure, no IO
    "core": {"xlat"},
    "config": set(),                                # lexers and the directive-table engine
    "io": {"xlat"},
    "tools": {"xlat"},
    "runtime": {"xlat", "io"},                      # what both modes share
    "plat": {"xlat", "io", "config", "runtime"},
    "clat": {"xlat", "io", "config", "runtime"},
    "main": {"xlat", "io", "config", "runtime", "plat", "clat"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/', re.M)


def units(root):
    for unit in ALLOWED:
        if unit == "xlat":
            base = os.path.join(root, "include", "xlat")
        elif unit == "main":
            yield unit, os.path.join(root, "src", "main.cpp")
            continue
        else:
            base = os.path.join(root, "src", unit)
        for dirpath, _, files in os.walk(base):
            for f in sorted(files):
                if f.endswith((".cpp", ".hpp", ".h")):
                    yield unit, os.path.join(dirpath, f)


def used(root):
    """(unit, used unit, file) for every include of another folder."""
    for unit, path in units(root):
        for target in INCLUDE.findall(open(path).read()):
            if target != unit:
                yield unit, target, os.path.relpath(path, root)


def visible(unit):
    """The unit and every unit it may use, directly or through another."""
    seen, todo = set(), [unit]
    while todo:
        u = todo.pop()
        if u not in seen:
            seen.add(u)
            todo.extend(ALLOWED[u])
    return sorted(seen)


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else "check"
    if what == "visible":
        print(";".join(visible(sys.argv[2])))
        return 0
    root = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    uses = list(used(root))
    if what == "check":
        bad = [(u, t, f) for u, t, f in uses if t not in ALLOWED[u]]
        for u, t, f in bad:
            print(f"{f}: {u} may not include {t}/ (allowed: {', '.join(sorted(ALLOWED[u])) or 'nothing'})")
        print(f"{len(uses)} includes across folders, {len(bad)} against the rules")
        return 1 if bad else 0
    edges = sorted({(u, t) for u, t, _ in uses})
    print("digraph layers {\n  rankdir=TB; node [shape=box, fontname=sans];")
    for u, t in edges:
        print(f'  "{u}" -> "{t}";')
    print("}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
