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
  nlohmann-json3-dev                  # the JSON of `xlatd stats --json`
  libbpf-dev bpftool                  # the kernel fast path: libbpf, and the skeleton generator
  libgtest-dev libgmock-dev libbenchmark-dev
)
test_pkgs=(
  python3 python3-scapy python3-pyroute2
  iproute2 iputils-ping iperf3 tcpdump tayga traceroute
  nftables procps psmisc gnuplot-nox
  unbound radvd graphviz curl        # the 464XLAT lab: DNS64, SLAAC, the topology picture, HTTP fetches
  debhelper fakeroot lintian mmdebstrap man-db   # the Debian package: build, check, install in a fresh root
  podman runc                         # the container image (docker/Dockerfile), built and run
  bird2                               # the anycast lab: BGP on every router and PLAT
)

missing=()
for p in "${build_pkgs[@]}" "${test_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
else
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# promtool checks the shipped alert rules and dashboard queries. It comes in Debian's
# prometheus package, which would also install and start a Prometheus server: take
# only promtool out of the package (a static Go binary) into /usr/local/bin.
if ! command -v promtool >/dev/null; then
  echo "install-deps: promtool from Debian's prometheus package"
  tmp=$(mktemp -d)
  chmod 0777 "$tmp"  # apt's download user (_apt) writes there
  (cd "$tmp" && { apt-get download -qq prometheus || { $SUDO apt-get update -qq && apt-get download -qq prometheus; }; } &&
    dpkg-deb --fsys-tarfile prometheus_*.deb | tar -x ./usr/bin/promtool)
  $SUDO install -m 0755 "$tmp/usr/bin/promtool" /usr/local/bin/promtool
  rm -rf "$tmp"
fi
