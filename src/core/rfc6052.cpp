#include "xlat/rfc6052.hpp"

namespace xlat {

namespace {

// Byte positions that carry the four IPv4 octets for each prefix length (RFC 6052 §2.2
// figure 1). Byte 8 (bits 64-71) is never used.
struct Layout {
  uint8_t pos[4];
};

Layout layout_for(unsigned len) {
  switch (len) {
    case 32: return {{4, 5, 6, 7}};
    case 40: return {{5, 6, 7, 9}};
    case 48: return {{6, 7, 9, 10}};
    case 56: return {{7, 9, 10, 11}};
    case 64: return {{9, 10, 11, 12}};
    default: return {{12, 13, 14, 15}};  // 96
  }
}

}  // namespace

bool rfc6052_valid_length(unsigned len) {
  return len == 32 || len == 40 || len == 48 || len == 56 || len == 64 || len == 96;
}

Ipv6Addr rfc6052_embed(const Ipv6Prefix& prefix, Ipv4Addr v4) {
  Ipv6Addr out = ipv6_masked(prefix.addr, prefix.len);
  Layout l = layout_for(prefix.len);
  out.b[l.pos[0]] = static_cast<uint8_t>(v4 >> 24);
  out.b[l.pos[1]] = static_cast<uint8_t>(v4 >> 16);
  out.b[l.pos[2]] = static_cast<uint8_t>(v4 >> 8);
  out.b[l.pos[3]] = static_cast<uint8_t>(v4);
  return out;
}

Ipv4Addr rfc6052_extract(const Ipv6Prefix& prefix, const Ipv6Addr& a) {
  Layout l = layout_for(prefix.len);
  return (uint32_t{a.b[l.pos[0]]} << 24) | (uint32_t{a.b[l.pos[1]]} << 16) |
         (uint32_t{a.b[l.pos[2]]} << 8) | a.b[l.pos[3]];
}

const Ipv6Prefix& well_known_prefix() {
  static const Ipv6Prefix wkp{Ipv6Addr{{0x00, 0x64, 0xff, 0x9b}}, 96};
  return wkp;
}

bool ipv4_is_global(Ipv4Addr a) {
  // IANA IPv4 Special-Purpose Address Registry entries that are not globally reachable.
  static constexpr struct {
    Ipv4Addr net;
    uint8_t len;
  } kNonGlobal[] = {
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
  for (const auto& r : kNonGlobal) {
    if (Ipv4Prefix{r.net, r.len}.contains(a)) return false;
  }
  return true;
}

}  // namespace xlat
