#!/usr/bin/env bash
# Installs everything xlatd needs to build, test and run its labs on a fresh Debian 12 box.
# Idempotent: packages already present are left alone. Needs root (or sudo).
set -euo pipefail

build_pkgs=(
  build-essential cmake ninja-build pkg-config git
  clang libclang-rt-14-dev            # libFuzzer + sanitizer runtimes for the fuzz targets
  liburing-dev libnl-3-dev libnl-route-3-dev libnl-genl-3-dev libnftables-dev
  libsystemd-dev                      # sd_notify and the watchdog
  libcli11-dev libtomlplusplus-dev
  libbpf-dev bpftool                  # the kernel fast path: libbpf, and the skeleton generator
  libgtest-dev libgmock-dev libbenchmark-dev
)
test_pkgs=(
  python3 python3-scapy python3-pyroute2
  iproute2 iputils-ping iperf3 tcpdump tayga traceroute
  nftables procps psmisc gnuplot-nox
  unbound radvd graphviz curl        # the 464XLAT lab: DNS64, SLAAC, the topology picture, HTTP fetches
  debhelper fakeroot lintian mmdebstrap man-db   # the Debian package: build, check, install in a fresh root
)

missing=()
for p in "${build_pkgs[@]}" "${test_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
