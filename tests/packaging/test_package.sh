#!/bin/sh
# The Debian package as an operator gets it: built from this tree (scripts/package.sh,
# lintian errors fail it), then installed with apt-get into a fresh Debian 12 root made
# by mmdebstrap, first beside Debian's own tayga, which it must replace:
#   - apt resolves its Depends from Debian alone, and tayga goes (Conflicts/Replaces);
#   - /etc/tayga.conf, tayga's conffile, is byte for byte what it was;
#   - xlatd, tayga and clatd (the same binary) run: --version, --check-config on every
#     shipped sample and on Debian's tayga.conf;
#   - the installed units pass `systemd-analyze verify` where they are installed, with
#     the packaged man pages.
# Usage: test_package.sh SOURCE_DIR [KEEP_DIR]   (root; 77 when a tool is missing and CI is
# unset). KEEP_DIR receives the .deb, for the container test.
set -eu
src=$1
keep=${2:-}
for tool in mmdebstrap dpkg-buildpackage lintian; do
  if ! command -v "$tool" >/dev/null; then
    echo "no $tool (scripts/install-deps.sh installs it)"
    [ "${CI:-}" = true ] && exit 1 || exit 77
  fi
done
[ "$(id -u)" -eq 0 ] || { echo "needs root (mmdebstrap's root mode)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

DEB_BUILD_OPTIONS=nocheck "$src/scripts/package.sh" "$work/out"
deb=$(ls "$work"/out/xlatd_*.deb)
name=$(basename "$deb")

# Each hook runs in the new root ("$1"); a failing hook fails mmdebstrap.
mmdebstrap --quiet --variant=apt --include=systemd,man-db,tayga bookworm "$work/root" \
  --customize-hook="copy-in $deb /tmp" \
  --customize-hook='md5sum "$1/etc/tayga.conf" > "$1/tmp/tayga.conf.md5"' \
  --customize-hook="chroot \"\$1\" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/$name" \
  --customize-hook="copy-in $src/tests/packaging/checks_in_root.sh /tmp" \
  --customize-hook='chroot "$1" sh /tmp/checks_in_root.sh' \
  --customize-hook='cd "$1" && md5sum -c tmp/tayga.conf.md5' \
  > "$work/mmdebstrap.log" 2>&1 || { tail -60 "$work/mmdebstrap.log"; echo "package test: failed (log above)"; exit 1; }
grep -E "^(\+ |xlatd [0-9]|checks in the root|.*tayga.conf: OK)" "$work/mmdebstrap.log"
[ -z "$keep" ] || { mkdir -p "$keep" && rm -f "$keep"/xlatd_*.deb && cp "$deb" "$keep/"; }
echo "package test: $name installed in a fresh Debian 12 root in place of tayga; all checks passed"
