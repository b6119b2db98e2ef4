#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each direction for a
# bounded time, seeded with the Jool conformance packets. A crash fails the script and
# leaves the input in the build dir's artifacts-*/.
#   scripts/fuzz.sh [--seconds N] [--build-dir DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=60
build="$here/build-fuzz"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DXLAT_FUZZ=ON -DXLAT_SANITIZE=ON -DXLAT_BENCH=OFF >/dev/null
cmake --build "$build" --target fuzz_4to6 fuzz_6to4 >/dev/null

seeds="$here/../shared/conformance/jool-siit"
status=0
for dir in 4to6 6to4; do
  corpus="$build/corpus-$dir"
  artifacts="$build/artifacts-$dir/"
  mkdir -p "$corpus" "$artifacts"
  # Seeds: every fixture packet, behind a few config-selector bytes.
  if [ -d "$seeds" ] && [ -z "$(ls -A "$corpus")" ]; then
    n=0
    for f in $(find "$seeds" -name '*.pkt' | sort); do
      for sel in 0 3 5; do
        { printf "\\x0$sel"; cat "$f"; } > "$corpus/seed-$n-$sel"
      done
      n=$((n + 1))
    done
  fi
  log="$build/fuzz_$dir.log"
  echo "fuzz_$dir: ${seconds}s, log in $log"
  if ! "$build/tests/fuzz/fuzz_$dir" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$artifacts" -max_len=4096 "$corpus" >"$log" 2>&1; then
    status=1
    echo "fuzz_$dir: FAILED"
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" || tail -20 "$log"
  fi
  grep -E '^#[0-9]+ +DONE|stat::number_of_executed_units' "$log" || true
done
exit $status
