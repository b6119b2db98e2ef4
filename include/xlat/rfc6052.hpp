// RFC 6052 §2.2: IPv4-embedded IPv6 addresses.
//
// For every allowed prefix length the 32 IPv4 bits sit right after the prefix, skipping
// bits 64-71 (the "u" octet, always zero); bits after the IPv4 address (the suffix) are
// zero when building and ignored when extracting.
#pragma once

#include <span>

#include "xlat/addr.hpp"

namespace xlat {

// RFC 6052 §2.2: 32, 40, 48, 56, 64 or 96.
bool rfc6052_valid_length(unsigned len);

// RFC 6052 §2.2 figure 1: the byte positions of the four IPv4 octets for a prefix length.
// Byte 8 (bits 64-71, the "u" octet) is never used. The only copy of the figure: the
// packet path keeps one of these per translator, the slow paths make one per call.
struct Rfc6052Layout {
  uint8_t pos[4] = {12, 13, 14, 15};  // /96

  static constexpr Rfc6052Layout for_length(unsigned len) {
    switch (len) {
      case 32: return {{4, 5, 6, 7}};
      case 40: return {{5, 6, 7, 9}};
      case 48: return {{6, 7, 9, 10}};
      case 56: return {{7, 9, 10, 11}};
      case 64: return {{9, 10, 11, 12}};
      default: return {{12, 13, 14, 15}};  // 96
    }
  }
  // Writes v4 into `a` (prefix bits and suffix are the caller's).
  void put(Ipv6Addr& a, Ipv4Addr v4) const {
    a.b[pos[0]] = static_cast<uint8_t>(v4 >> 24);
    a.b[pos[1]] = static_cast<uint8_t>(v4 >> 16);
    a.b[pos[2]] = static_cast<uint8_t>(v4 >> 8);
    a.b[pos[3]] = static_cast<uint8_t>(v4);
  }
  Ipv4Addr get(const Ipv6Addr& a) const {
    return (uint32_t{a.b[pos[0]]} << 24) | (uint32_t{a.b[pos[1]]} << 16) |
           (uint32_t{a.b[pos[2]]} << 8) | a.b[pos[3]];
  }
};

// Builds prefix + v4 (+ zero suffix). `prefix.len` must be valid.
Ipv6Addr rfc6052_embed(const Ipv6Prefix& prefix, Ipv4Addr v4);

// Reads the IPv4 address back; the caller has checked prefix.contains(a).
Ipv4Addr rfc6052_extract(const Ipv6Prefix& prefix, const Ipv6Addr& a);

// The well-known prefix 64:ff9b::/96 (RFC 6052 §2.1).
const Ipv6Prefix& well_known_prefix();

// RFC 6052 §3.1: the well-known prefix MUST NOT be used with non-global IPv4 addresses
// (RFC 1918, shared, loopback, link-local, documentation, benchmarking ...).
bool ipv4_is_global(Ipv4Addr a);
// The ranges ipv4_is_global refuses (IANA's special-purpose registry, not globally
// reachable), for a copy of the rule elsewhere (the kernel fast path).
std::span<const Ipv4Prefix> ipv4_non_global_ranges();

}  // namespace xlat
