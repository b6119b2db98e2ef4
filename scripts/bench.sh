#!/usr/bin/env bash
# Builds a Release tree and runs the translation-core microbenchmarks (packets per second
# on one core, pinned to CPU 0 when taskset exists). Extra arguments go to the benchmark.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build="$here/build-release"
"$here/scripts/build-release.sh" translate_bench
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)
"${pin[@]}" "$build/bench/translate_bench" --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_counters_tabular=true "$@"
