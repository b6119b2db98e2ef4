#include "xlat/rfc6052.hpp"

namespace xlat {

bool rfc6052_valid_length(unsigned len) {
  return len == 32 || len == 40 || len == 48 || len == 56 || len == 64 || len == 96;
}

Ipv6Addr rfc6052_embed(const Ipv6Prefix& prefix, Ipv4Addr v4) {
  Ipv6Addr out = ipv6_masked(prefix.addr, prefix.len);
  Rfc6052Layout::for_length(prefix.len).put(out, v4);
  return out;
}

Ipv4Addr rfc6052_extract(const Ipv6Prefix& prefix, const Ipv6Addr& a) {
  return Rfc6052Layout::for_length(prefix.len).get(a);
}

const Ipv6Prefix& well_known_prefix() {
  static const Ipv6Prefix wkp{Ipv6Addr{{0x00, 0x64, 0xff, 0x9b}}, 96};
  return wkp;
}

std::span<const Ipv4Prefix> ipv4_non_global_ranges() {
  // IANA IPv4 Special-Purpose Address Registry entries that are not globally reachable.
  static constexpr Ipv4Prefix kNonGlobal[] = {
      {0x00000000, 8},   // 0.0.0.0/8 "this network"
      {0x0a000000, 8},   // 10.0.0.0/8 private
      {0x64400000, 10},  // 100.64.0.0/10 shared address space
      {0x7f000000, 8},   // 127.0.0.0/8 loopback
      {0xa9fe0000, 16},  // 169.254.0.0/16 link local
      {0xac100000, 12},  // 172.16.0.0/12 private
      {0xc0000000, 24},  // 192.0.0.0/24 IETF protocol assignments
      {0xc0000200, 24},  // 192.0.2.0/24 TEST-NET-1
      {0xc0586300, 24},  // 192.88.99.0/24 6to4 relay anycast (deprecated)
      {0xc0a80000, 16},  // 192.168.0.0/16 private
      {0xc6120000, 15},  // 198.18.0.0/15 benchmarking
      {0xc6336400, 24},  // 198.51.100.0/24 TEST-NET-2
      {0xcb007100, 24},  // 203.0.113.0/24 TEST-NET-3
      {0xe0000000, 3},   // 224.0.0.0/4 multicast, 240.0.0.0/4 reserved, broadcast
  };
  return kNonGlobal;
}

bool ipv4_is_global(Ipv4Addr a) {
  for (const Ipv4Prefix& r : ipv4_non_global_ranges()) {
    if (r.contains(a)) return false;
  }
  return true;
}

}  // namespace xlat
