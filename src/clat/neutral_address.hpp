// The CLAT's IPv6 address: a /128 in the uplink /64 whose interface identifier makes
// the translation checksum-neutral (RFC 6052 §4.1, RFC 6877 §6.3), so TCP and UDP
// checksums pass through the CLAT unchanged.
//
// The CLAT maps 192.0.0.1 -> its address and X -> PLAT-prefix + X. With a /96 (or /32)
// PLAT prefix X stays aligned to 16-bit words, so the pseudo-header changes by
//   sum(clat address) + sum(prefix) - sum(192.0.0.1)
// for every X; choosing the identifier to make that zero (mod 0xffff) makes every
// packet neutral. Other prefix lengths split X across words: no single address can be
// neutral for all destinations, and `neutral` says so.
#pragma once

#include <cstdint>

#include "xlat/addr.hpp"

namespace xlatd::clat {

struct ClatAddress {
  xlat::Ipv6Addr address;
  bool neutral;  // checksum-neutral for every destination
};

// `uplink`: the /64 of the uplink; `seed`: random bits for the identifier (the daemon
// passes fresh ones; tests pass fixed ones).
ClatAddress neutral_clat_address(const xlat::Ipv6Prefix& uplink, xlat::Ipv4Addr clat_v4,
                                 const xlat::Ipv6Prefix& plat_prefix, uint64_t seed);

}  // namespace xlatd::clat
