#!/usr/bin/env bash
# Sets up and runs the performance harness: xlatd (workers 1 and 2), TAYGA and plain
# kernel routing in one run on this box. Needs root. Extra arguments go to bench/perf.py
# (e.g. --repeats 1 --seconds 2 for a quick look).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
build="$here/build-release"
"$here/scripts/build-release.sh" xlatd udpgen
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
exec /usr/bin/python3 "$here/bench/perf.py" --xlatd "$build/xlatd" --udpgen "$build/bench/udpgen" --out "$here/build-perf" "$@"
