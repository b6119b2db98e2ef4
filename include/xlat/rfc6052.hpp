// RFC 6052 §2.2: IPv4-embedded IPv6 addresses.
//
// For every allowed prefix length the 32 IPv4 bits sit right after the prefix, skipping
// bits 64-71 (the "u" octet, always zero); bits after the IPv4 address (the suffix) are
// zero when building and ignored when extracting.
#pragma once

#include "xlat/addr.hpp"

namespace xlat {

// RFC 6052 §2.2: 32, 40, 48, 56, 64 or 96.
bool rfc6052_valid_length(unsigned len);

// Builds prefix + v4 (+ zero suffix). `prefix.len` must be valid.
Ipv6Addr rfc6052_embed(const Ipv6Prefix& prefix, Ipv4Addr v4);

// Reads the IPv4 address back; the caller has checked prefix.contains(a).
Ipv4Addr rfc6052_extract(const Ipv6Prefix& prefix, const Ipv6Addr& a);

// The well-known prefix 64:ff9b::/96 (RFC 6052 §2.1).
const Ipv6Prefix& well_known_prefix();

// RFC 6052 §3.1: the well-known prefix MUST NOT be used with non-global IPv4 addresses
// (RFC 1918, shared, loopback, link-local, documentation, benchmarking ...).
bool ipv4_is_global(Ipv4Addr a);

}  // namespace xlat
