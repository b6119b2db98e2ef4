#!/bin/sh
# Draws docs/architecture-targets.svg from the build's own targets (cmake --graphviz):
# one library per folder of src/ and who links whom. Needs a configured build (BUILD,
# default build/) and graphviz's dot.
set -e
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
cat > "$build/CMakeGraphVizOptions.cmake" <<'OPTIONS'
set(GRAPHVIZ_EXTERNAL_LIBS FALSE)
set(GRAPHVIZ_GENERATE_PER_TARGET FALSE)
set(GRAPHVIZ_GENERATE_DEPENDERS FALSE)
set(GRAPHVIZ_IGNORE_TARGETS "xlat_unit_tests;jool_conformance;.*_bench;fuzz_.*;xlatd_lib;udpgen")
OPTIONS
(cd "$build" && cmake --graphviz="$build/targets.dot" . >/dev/null)
# The legend cluster explains shapes the picture does not use: keep the targets only.
sed '/subgraph clusterLegend/,/^}/d' "$build/targets.dot" > "$here/docs/architecture-targets.dot"
dot -Tsvg "$here/docs/architecture-targets.dot" -o "$here/docs/architecture-targets.svg"
echo "docs/architecture-targets.svg"
