#!/bin/sh
# The systemd units as `cmake --install` puts them, checked by `systemd-analyze verify`
# (directives, executables, man pages named in Documentation=): installed into a
# temporary root, with the units' binary path pointed there.
# Usage: verify_units.sh BUILD_DIR INSTALLED_XLATD UNITDIR MANDIR   (77: no systemd-analyze)
set -eu
build=$1 xlatd=$2 unitdir=$3 mandir=$4
command -v systemd-analyze >/dev/null || { echo "no systemd-analyze"; exit 77; }
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
DESTDIR=$d cmake --install "$build" >/dev/null
mkdir "$d/units"
for u in xlatd.service xlatd@.service xlatd-clat@.service; do
  sed "s|$xlatd|$d$xlatd|g" "$d$unitdir/$u" > "$d/units/$u"
done
# Every warning is a failure: verify prints them on stderr and may still exit 0.
MANPATH=$d$mandir systemd-analyze verify "$d/units/xlatd.service" "$d/units/xlatd@test.service" \
  "$d/units/xlatd-clat@test.service" 2>"$d/err" || { cat "$d/err"; exit 1; }
if [ -s "$d/err" ]; then cat "$d/err"; exit 1; fi
echo "verified: xlatd.service xlatd@.service xlatd-clat@.service"
