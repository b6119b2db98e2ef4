#!/bin/sh
# cli_tayga_habits.sh XLATD VALID_CONF: TAYGA's command-line habits, which units and
# scripts written for TAYGA rely on.
x=$1
c=$2
fail() { echo "FAIL: $*"; exit 1; }
"$x" -h >/dev/null; [ $? -eq 1 ] || fail "-h must exit 1, as TAYGA's does"
"$x" --bogus 2>/dev/null; [ $? -eq 1 ] || fail "a usage error must exit 1 (not CLI11's 105-114)"
"$x" -c 2>/dev/null; [ $? -eq 1 ] || fail "a missing argument must exit 1"
"$x" --version >/dev/null || fail "--version must succeed"
"$x" --check-config -c /nonexistent -c "$c" >/dev/null || fail "the last -c must win"
out=$("$x" --check-config -c "$c" stray 2>&1 >/dev/null) || fail "a stray argument must not stop it"
[ "$out" = "xlatd: warning: ignoring argument 'stray' (key=value settings are for --mode clat)" ] ||
  fail "a stray argument must be named in a warning, got: $out"
echo "ok"
