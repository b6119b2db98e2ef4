#!/bin/sh
# The build enforces the layering: each folder's library is compiled against its own
# include directory (CMakeLists.txt, xlatd_layer), which shows only the folders
# scripts/layers.py allows. Here an allowed include compiles and a forbidden one does
# not, each with exactly the include directories the folder's library is built with.
# Usage: layering_compiles.sh CXX BUILD_DIR SOURCE_DIR
cxx=$1 build=$2 src=$3
fail() { echo "FAIL: $*"; exit 1; }
compiles() {  # FOLDER HEADER: does `#include "HEADER"` compile as part of FOLDER?
  printf '#include "%s"\n' "$2" | "$cxx" -std=c++20 -fsyntax-only -I "$build/layers/$1" -I "$src/include" \
    -isystem /usr/include/libnl3 -x c++ - 2>/tmp/layering.$$
  rc=$?
  [ $rc -ne 0 ] && ! grep -q "No such file" /tmp/layering.$$ && { cat /tmp/layering.$$; fail "$1: $2 broke otherwise"; }
  rm -f /tmp/layering.$$
  return $rc
}
compiles runtime io/tun.hpp || fail "runtime may use io"
compiles plat runtime/worker.hpp || fail "plat may use runtime"
compiles clat config/directive_table.hpp || fail "clat may use config"
compiles runtime plat/plat_config.hpp && fail "runtime must not see plat"
compiles plat clat/clat_config.hpp && fail "plat must not see clat"
compiles clat plat/dynamic_pool.hpp && fail "clat must not see plat"
compiles io runtime/log.hpp && fail "io must not see runtime"
echo "layering enforced by the include directories"
