#!/bin/sh
# cli_error.sh EXPECTED_LINE COMMAND ARGS...: the command must fail (exit status not 0)
# and print EXPECTED_LINE exactly, as one of its lines.
expected=$1
shift
out=$("$@" 2>&1)
status=$?
if [ "$status" -eq 0 ]; then
  echo "expected failure, got exit 0: $*"
  exit 1
fi
if ! printf '%s\n' "$out" | grep -qxF -- "$expected"; then
  printf 'expected the line:\n  %s\ngot:\n%s\n' "$expected" "$out"
  exit 1
fi
echo "ok: $* -> $expected"
