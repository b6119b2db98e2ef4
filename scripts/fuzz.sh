#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each direction for a
# bounded time, seeded with the Jool conformance packets, then the CLAT's parsers (RA
# PREF64 options and the tracker, DNS answers) and what is read from files (the undo
# journal, dynamic.map lines, tayga.conf / TOML / clatd.conf) seeded with a few valid
# messages, then the kernel fast path against the core (10^7 packets). A crash or a
# mismatch fails the script and
# leaves the input in the build dir's artifacts-*/.
#   scripts/fuzz.sh [--seconds N] [--build-dir DIR] [--fastpath-packets N (0: skip)]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=60
build="$here/build-fuzz"
fastpath_packets=${FASTPATH_PACKETS:-10000000}
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --build-dir) build=$2; shift 2 ;;
    --fastpath-packets) fastpath_packets=$2; shift 2 ;;
    *) echo "fuzz.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DXLAT_FUZZ=ON -DXLAT_SANITIZE=ON -DXLAT_BENCH=OFF >/dev/null
targets=(fuzz_4to6 fuzz_6to4 fuzz_clat fuzz_files)
[ "$fastpath_packets" -gt 0 ] && targets+=(fastpath_differential)
if ! cmake --build "$build" --target "${targets[@]}" >"$build/build.log" 2>&1; then
  echo "fuzz.sh: the fuzz targets did not build ($build/build.log):" >&2
  grep -m 20 -E 'error|FAILED' "$build/build.log" >&2 || tail -20 "$build/build.log" >&2
  exit 1
fi

seeds="$here/../shared/conformance/jool-siit"
status=0
for dir in 4to6 6to4 clat files; do
  corpus="$build/corpus-$dir"
  artifacts="$build/artifacts-$dir/"
  mkdir -p "$corpus" "$artifacts"
  if [ "$dir" = clat ] && [ -z "$(ls -A "$corpus")" ]; then
    # Selector 0: an RA (type 134) with a PREF64 option (2001:db8:64::/96, 600 s);
    # selector 1: a DNS response with one AAAA 2001:db8:64::c000:aa behind a pointer.
    printf '\x00\x86\x00\x00\x00\x40\x00\x07\x08\x00\x00\x00\x00\x00\x00\x00\x00\x26\x02\x02\x58\x20\x01\x0d\xb8\x00\x64\x00\x00\x00\x00\x00\x00' > "$corpus/seed-ra"
    printf '\x01\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00\x08ipv4only\x04arpa\x00\x00\x1c\x00\x01\xc0\x0c\x00\x1c\x00\x01\x00\x00\x0e\x10\x00\x10\x20\x01\x0d\xb8\x00\x64\x00\x00\x00\x00\x00\x00\xc0\x00\x00\xaa' > "$corpus/seed-dns"
  fi
  if [ "$dir" = files ] && [ -z "$(ls -A "$corpus")" ]; then
    # Selector 0: an undo journal; 1: a dynamic.map line; 2: a tayga.conf; 3: TOML;
    # 4: a clatd.conf.
    printf '\x00# xlatd CLAT\nsysctl net/ipv6/conf/all/forwarding 0\nsysctl net/ipv6/conf/eth0/accept_ra 1\nproxy eth0 2001:db8:1::c1a7\nmark clat 49575 49575\nroute4 wlan0 192.168.1.1 600\n' > "$corpus/seed-journal"
    printf '\x01192.168.255.7\t2001:db8:1::2\t1700000000' > "$corpus/seed-dynamic-map"
    printf '\x02tun-device nat64\nipv4-addr 192.168.255.1\nprefix 2001:db8:64::/96\ndynamic-pool 192.168.255.0/24\nmap 192.168.255.10 2001:db8:1::10\n' > "$corpus/seed-tayga"
    printf '\x03tun-device = "nat64"\nipv4-addr = "192.168.255.1"\nprefix = "2001:db8:64::/96"\n' > "$corpus/seed-toml"
    printf '\x04clat-dev=clat\nplat-prefix=2001:db8:64::/96\nclat-v6-addr=shared\n' > "$corpus/seed-clatd"
  fi
  # Inputs that once failed, kept as seeds: a device name with dots inside ("a..b", valid
  # in Linux) in a journal's sysctl key (the harness's rule was wrong, CI stop 30).
  if [ "$dir" = files ]; then printf '\x00sysctl net/ipv6/conf/a..b/accept_ra 1\n' > "$corpus/regression-dotted-device"; fi
  # Seeds: every fixture packet, behind a few config-selector bytes.
  if [ "$dir" != clat ] && [ "$dir" != files ] && [ -d "$seeds" ] && [ -z "$(ls -A "$corpus")" ]; then
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
    # Everything needed to reproduce it from CI's output alone: why it died (an
    # exception's name, a sanitizer's report, the stack) and the input itself.
    grep -m 40 -E 'ERROR|SUMMARY|Test unit written|terminate called|what\(\)|runtime error|^ +#[0-9]+ ' "$log" ||
      tail -20 "$log"
    # The input this run wrote (libFuzzer names it), not older ones left in the directory.
    sed -n 's/.*Test unit written to //p' "$log" | while read -r crash; do
      [ -f "$crash" ] || continue
      echo "fuzz_$dir: input $(basename "$crash") ($(stat -c %s "$crash") bytes), base64:"
      base64 -w 100 "$crash"
    done
  fi
  grep -E '^#[0-9]+ +DONE|stat::number_of_executed_units' "$log" || true
done

# The kernel fast path against the core, long: generated and mutated packets (10^7
# unless told) through BPF_PROG_TEST_RUN and the core (needs root). The ctest run of this
# script skips it: the normal build's ctest runs the short version.
if [ "$fastpath_packets" -gt 0 ]; then
  log="$build/fastpath_differential.log"
  echo "fastpath_differential: $fastpath_packets packets, log in $log"
  if ! FASTPATH_PACKETS=$fastpath_packets XLAT_SHARED_DIR="$here/../shared" "$build/tests/fastpath_differential" >"$log" 2>&1; then
    status=1
    echo "fastpath_differential: FAILED"
    grep -E 'Failure|fast:|core:|in: ' "$log" | head -20
  fi
  grep -E '^(generated|Jool fixture):' "$log" || true
fi
exit $status
