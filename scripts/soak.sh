#!/usr/bin/env bash
# Sets up and runs the soak: xlatd under mixed load for 10 minutes (or --minutes N),
# sampling resident memory and open descriptors. Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/install-deps.sh"
build="$here/build-release"
"$here/scripts/build-release.sh" xlatd udpgen
exec /usr/bin/python3 "$here/bench/soak.py" --xlatd "$build/xlatd" --udpgen "$build/bench/udpgen" "$@"
