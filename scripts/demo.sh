#!/usr/bin/env bash
# Sets up (packages, build) and runs the demo: the translation core on its built-in packets.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
cmake -S "$here" -B "$here/build" -G Ninja >/dev/null
cmake --build "$here/build" --target xlat-trace >/dev/null
exec "$here/build/xlat-trace" "$@"
