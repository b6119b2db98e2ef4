#!/bin/sh
# Run inside the fresh root by test_package.sh, once the package is installed in place
# of Debian's tayga. Every command must succeed.
set -eux
ex=/usr/share/doc/xlatd/examples
# tayga is gone (only its conffiles are left), xlatd is installed.
status=$(dpkg-query -W -f='${Status}' tayga)
[ "$status" = "deinstall ok config-files" ]
[ "$(dpkg-query -W -f='${Status}' xlatd)" = "install ok installed" ]
# One binary under three names.
xlatd --version | grep -q '^xlatd [0-9]'
tayga --version | grep -q '^xlatd [0-9]'
[ "$(readlink /usr/sbin/clatd)" = xlatd ]
# The shipped samples and Debian's own tayga.conf are accepted.
xlatd --check-config -c "$ex/tayga.conf.example"
xlatd --check-config -c "$ex/xlatd.toml.example"
clatd --check-config -c "$ex/clatd.conf.example"
xlatd --check-config -c /etc/tayga.conf
# Nothing but the man pages the package ships: every name has one.
man -w xlatd tayga clatd xlatd.conf xlat-trace
# The units where they are installed; verify's warnings go to stderr, any is a failure.
systemd-analyze verify /lib/systemd/system/xlatd.service /lib/systemd/system/xlatd@test.service \
  /lib/systemd/system/xlatd-clat@test.service 2>/tmp/verify.err
[ ! -s /tmp/verify.err ] || { cat /tmp/verify.err; exit 1; }
# Installed, not enabled: a translator is configured first.
[ "$(systemctl is-enabled xlatd.service || true)" = disabled ]
echo "checks in the root: all passed"
