#!/usr/bin/env bash
# Builds the Debian package (xlatd_VERSION_ARCH.deb) from this tree with Debian's own
# tools (debhelper, dpkg-buildpackage) and checks it with lintian: any lintian error
# fails the build; the warnings kept are explained in README.md ("Packaging").
# The tree is copied first (no build directories, no .git): the source stays clean.
# Usage: scripts/package.sh [OUTDIR]   (default: build-deb/ in the tree)
#   DEB_BUILD_OPTIONS=nocheck skips the unit tests at build time; parallel=N is set to
#   the number of CPUs unless given.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$src/build-deb}" && cd "${1:-$src/build-deb}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The package's version is the project's: debian/changelog must say the same.
project=$(sed -n 's/^project(xlatd VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
changelog=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
if [ "$project" != "$changelog" ]; then
  echo "package: CMakeLists.txt says $project, debian/changelog says $changelog" >&2
  exit 1
fi

mkdir "$work/xlatd-$project"
tar -C "$src" --exclude-vcs --exclude='./build*' --exclude='./obj-*' --exclude='./debian/xlatd' \
  --exclude='./debian/.debhelper' -cf - . | tar -C "$work/xlatd-$project" -xf -
case " ${DEB_BUILD_OPTIONS:-} " in
  *" parallel="*) ;;
  *) export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-} parallel=$(nproc)" ;;
esac
(cd "$work/xlatd-$project" && dpkg-buildpackage -us -uc -b) > "$work/build.log" 2>&1 || {
  tail -40 "$work/build.log" >&2
  echo "package: dpkg-buildpackage failed (whole log above: last 40 lines)" >&2
  exit 1
}
deb=$(ls "$work"/xlatd_"$project"_*.deb)
lintian --fail-on error --display-info "$deb" | tee "$work/lintian.txt"
cp "$deb" "$work"/xlatd_"$project"_*.buildinfo "$work"/xlatd_"$project"_*.changes "$work/lintian.txt" "$out/"
echo "package: $out/$(basename "$deb") (lintian: $(grep -c '^E:' "$work/lintian.txt" || true) errors," \
  "$(grep -c '^W:' "$work/lintian.txt" || true) warnings)"
