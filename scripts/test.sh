#!/usr/bin/env bash
# Sets up (packages) and runs every test: a normal build and an ASan + UBSan build, each
# through ctest. The fuzz test builds its own clang tree. Exits non-zero on any failure.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
jobs=$(nproc)

cmake -S "$here" -B "$here/build-asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DXLAT_SANITIZE=ON -DXLAT_BENCH=OFF >/dev/null
cmake --build "$here/build-asan" -j "$jobs"
echo "== tests under ASan + UBSan (the fuzz test, TAYGA's suite and the package tests, which build"
echo "   from the source tree, not from this build, run only in the normal build)"
ctest --test-dir "$here/build-asan" --output-on-failure -j "$jobs" -LE "fuzz|tayga_suite|package"

# The Release build the benchmarks and the harness use must compile too (-O3 warns
# differently).
"$here/scripts/build-release.sh" xlatd xlat-trace translate_bench udpgen

cmake -S "$here" -B "$here/build" -G Ninja >/dev/null
cmake --build "$here/build" -j "$jobs"
echo "== tests, normal build"
ctest --test-dir "$here/build" --output-on-failure -j "$jobs"
