#!/usr/bin/env bash
# Configures build-release (Release, -O3) and builds the given targets. Used by the
# benchmark, harness and soak scripts.
#   scripts/build-release.sh TARGET...
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$here" -B "$here/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$here/build-release" --target "$@" >/dev/null
