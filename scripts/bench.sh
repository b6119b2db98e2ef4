#!/usr/bin/env bash
# Builds a Release tree and runs a microbenchmark on one core (pinned to CPU 0 when
# taskset exists):
#   scripts/bench.sh            translation-core packets per second (translate_bench)
#   scripts/bench.sh --tables   per-packet cost with 0 ... 10^5 static maps and a 2^20 pool
#   scripts/bench.sh --loads    loading maps, map files and dynamic.map (load_bench)
# Other arguments go to the benchmark.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build="$here/build-release"
bench=translate_bench
case "${1:-}" in
  --tables) bench=table_bench; shift ;;
  --loads) bench=load_bench; shift ;;
esac
"$here/scripts/build-release.sh" "$bench"
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
"${pin[@]}" "$build/bench/$bench" --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true \
  --benchmark_report_aggregates_only=true --benchmark_counters_tabular=true "$@"
