#!/usr/bin/env bash
# Mutation testing: does the suite fail when a feature breaks?
#
# Each tests/mutants/*.patch is a one-line change of the source (a unified diff, applied
# with `git apply`) with a header saying what it breaks and which tests must see it:
#   What:  the rule or feature it breaks
#   Tests: unit [plat=CHECK,CHECK ...] [clat] [lab]
# `unit` is every ctest of the project's own that needs no network namespace (unit tests,
# command line, config corpora and samples); TAYGA's suite and Jool's fixture are left out
# on purpose: the score measures the project's own tests. `plat=` runs those checks of
# tests/e2e/test_plat.py, `clat` all of tests/e2e/test_clat.py, `lab` the 464XLAT demo.
# A mutant marked `Equivalent: why` is not run; it is listed with its reason.
#
# The tree is copied (tracked and new files, as they are now) to $MUTANTS_DIR, built once
# (normal build, no benchmarks), checked to pass unmutated, then each mutant is applied,
# rebuilt incrementally, tested and reverted. Prints "killed" or "SURVIVED" per mutant
# and a last line "N killed, M survived"; the output of the tests that killed each mutant
# is kept in $MUTANTS_DIR/killed/NAME.log. Exits 1 if any survived or a patch no longer
# applies (a stale mutant must be refreshed, not ignored).
#
# Usage: scripts/mutants.sh [--list] [NAME-SUBSTRING ...]
# Needs root for the e2e tests; run by hand or nightly, not in every CI run (README says
# how long a full run takes).
set -euo pipefail
# The whole script is one group, read before it runs: editing this file during a run
# (it takes a while) cannot change what the run does.
{
here=$(cd "$(dirname "$0")/.." && pwd)
work=${MUTANTS_DIR:-/tmp/xlatd-mutants}
py=/usr/bin/python3
list_only=0
filters=()
for a in "$@"; do
  case "$a" in
    --list) list_only=1 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) filters+=("$a") ;;
  esac
done

header() {  # header FIELD PATCH: the value of "FIELD:" in the patch's header
  sed -n "/^diff --git/q; s/^$1: *//p" "$2" | head -1
}

mutants=()
for p in "$here"/tests/mutants/*.patch; do
  name=$(basename "$p" .patch)
  if [ ${#filters[@]} -gt 0 ]; then
    keep=0
    for f in "${filters[@]}"; do [[ "$name" == *"$f"* ]] && keep=1; done
    [ $keep -eq 1 ] || continue
  fi
  mutants+=("$p")
done
if [ $list_only -eq 1 ]; then
  for p in "${mutants[@]}"; do
    printf '%-44s %-28s %s\n' "$(basename "$p" .patch)" "$(header Tests "$p")" "$(header What "$p")"
  done
  exit 0
fi
[ ${#mutants[@]} -gt 0 ] || { echo "mutants: no mutant matches"; exit 2; }

src="$work/src"
build="$work/build"
rm -rf "$src"
mkdir -p "$src"
(cd "$here" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$src")
cmake -S "$src" -B "$build" -G Ninja -DXLAT_BENCH=OFF -DXLAT_SHARED_DIR="$here/../shared" >/dev/null
targets=(xlatd xlat_unit_tests jool_conformance xlat-trace fastpath_differential)
build_it() { cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" >"$work/build.log" 2>&1; }

# run_tests SPEC: 0 when every selected test passes
run_tests() {
  local spec="$1" part
  for part in $spec; do
    case "$part" in
      unit)
        ctest --test-dir "$build" -j "$(nproc)" -E "e2e|fuzz|tayga_suite|jool_siit|lab|clat_unit_any" \
          >"$work/test.log" 2>&1 || return 1 ;;
      plat=*)
        $py "$src/tests/e2e/test_plat.py" --xlatd "$build/xlatd" --only "${part#plat=}" \
          >"$work/test.log" 2>&1 || return 1 ;;
      clat)
        $py "$src/tests/e2e/test_clat.py" --xlatd "$build/xlatd" >"$work/test.log" 2>&1 || return 1 ;;
      lab)
        $py "$src/tests/e2e/lab464.py" up --check --tag mu --xlatd "$build/xlatd" \
          --state "$work/lab-state" >"$work/test.log" 2>&1 || return 1 ;;
      *) echo "mutants: unknown test set '$part'"; return 2 ;;
    esac
  done
}

echo "mutants: building $src"
build_it || { cat "$work/build.log"; exit 2; }
# Every test set any selected mutant uses must pass unmutated, or a kill means nothing.
specs=$(for p in "${mutants[@]}"; do [ -n "$(header Equivalent "$p")" ] || header Tests "$p"; done \
  | tr ' ' '\n' | sort -u | tr '\n' ' ')
# The PLAT checks in one run of test_plat.py.
plat=$(tr ' ' '\n' <<<"$specs" | sed -n 's/^plat=//p' | tr '\n' ',' | sed 's/,$//')
specs="$(tr ' ' '\n' <<<"$specs" | grep -v '^plat=' | tr '\n' ' ')${plat:+plat=$plat}"
echo "mutants: baseline ($specs)"
run_tests "$specs" || { echo "mutants: the unmutated tree fails ($work/test.log)"; tail -30 "$work/test.log"; exit 2; }

killed=0 survived=0 stale=0 equivalent=0
survivors=()
start=$(date +%s)
for p in "${mutants[@]}"; do
  name=$(basename "$p" .patch)
  why=$(header Equivalent "$p")
  if [ -n "$why" ]; then
    printf 'equivalent %-44s %s\n' "$name" "$why"
    equivalent=$((equivalent + 1))
    continue
  fi
  if ! (cd "$src" && git apply "$p" 2>/dev/null); then
    printf 'STALE      %-44s the patch no longer applies\n' "$name"
    stale=$((stale + 1))
    continue
  fi
  t0=$(date +%s)
  if ! build_it; then
    verdict=STALE  # a mutant must build: the compiler catching it says nothing of the tests
  elif run_tests "$(header Tests "$p")"; then
    verdict=SURVIVED
  else
    verdict=killed
    # What failed, to check that the right test caught it.
    mkdir -p "$work/killed" && cp "$work/test.log" "$work/killed/$name.log"
  fi
  (cd "$src" && git apply -R "$p")
  if [ "$verdict" = SURVIVED ]; then
    survived=$((survived + 1))
    survivors+=("$name")
  elif [ "$verdict" = STALE ]; then
    stale=$((stale + 1))
  else
    killed=$((killed + 1))
  fi
  printf '%-10s %-44s %3ss  %s\n' "$verdict" "$name" "$(( $(date +%s) - t0 ))" "$(header What "$p")"
done
build_it || true  # leave the copy built unmutated
echo "mutants: $(( $(date +%s) - start )) s for ${#mutants[@]} mutants"
[ $equivalent -eq 0 ] || echo "mutants: $equivalent equivalent (listed above with the reason)"
[ $stale -eq 0 ] || echo "mutants: $stale stale (refresh them)"
[ $survived -eq 0 ] || echo "mutants: survived: ${survivors[*]}"
echo "$killed killed, $survived survived"
rc=0
[ $survived -eq 0 ] && [ $stale -eq 0 ] || rc=1
exit $rc
}
