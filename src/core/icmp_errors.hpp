// ICMP errors the translator generates itself (RFC 7915 §4.4 / §5.4): from its own
// address, hop limit 64, quoting as much of the offending packet as fits in 576 bytes
// (IPv4, RFC 1812 §4.3.2.3) or 1280 bytes (IPv6, RFC 4443 §2.4(c)).
#pragma once

#include <cstdint>

#include "xlat/translator.hpp"

namespace xlat::detail {

// `orig` is the IPv4 packet that caused the error; `rest` is the ICMP header's second
// word (the MTU for Fragmentation Needed). Returns the length written to out
// (out has room for kIcmp4ErrorMax bytes).
uint32_t build_icmp4_error(const TranslatorConfig& cfg, uint16_t ip_id, const uint8_t* orig,
                           uint32_t orig_len, uint8_t type, uint8_t code, uint32_t rest,
                           uint8_t* out);

// Same for IPv6 (out has room for kIcmp6ErrorMax bytes); `rest` carries the MTU of a
// Packet Too Big or the pointer of a Parameter Problem.
uint32_t build_icmp6_error(const TranslatorConfig& cfg, const uint8_t* orig, uint32_t orig_len,
                           uint8_t type, uint8_t code, uint32_t rest, uint8_t* out);

}  // namespace xlat::detail
