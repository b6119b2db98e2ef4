// Internet checksum (RFC 1071) and its incremental update (RFC 1624).
//
// A "sum" here is an unfolded one's-complement accumulator; fold() turns it into 16 bits.
// Translation only swaps the addresses of the pseudo-header, so the packet path never
// recomputes a whole checksum: it adjusts the old one by the difference (RFC 1624 eqn. 3).
#pragma once

#include <cstddef>
#include <cstdint>

#include "xlat/addr.hpp"
#include "xlat/bytes.hpp"

namespace xlat {

// One's-complement sum of n bytes (big-endian 16-bit words; an odd tail is padded with
// zero), added to `acc`. Fast: eight bytes per step.
uint64_t csum_add_bytes(const uint8_t* p, size_t n, uint64_t acc = 0);

// Folds an accumulator into a 16-bit one's-complement sum (not inverted).
inline uint16_t csum_fold(uint64_t acc) {
  acc = (acc & 0xffffffff) + (acc >> 32);
  acc = (acc & 0xffffffff) + (acc >> 32);
  acc = (acc & 0xffff) + (acc >> 16);
  acc = (acc & 0xffff) + (acc >> 16);
  acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<uint16_t>(acc);
}

// The checksum field value for data whose sum is `acc`.
inline uint16_t csum_finish(uint64_t acc) {
  return static_cast<uint16_t>(~csum_fold(acc));
}

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), where m is the folded sum of the 16-bit words
// that were removed and m' of those that replaced them.
inline uint16_t csum_update(uint16_t old_csum, uint16_t removed, uint16_t added) {
  uint32_t acc = static_cast<uint16_t>(~old_csum);
  acc += static_cast<uint16_t>(~removed);
  acc += added;
  return static_cast<uint16_t>(~csum_fold(acc));
}

inline uint64_t csum_add_ipv4(Ipv4Addr a, uint64_t acc = 0) {
  return acc + (a >> 16) + (a & 0xffff);
}

inline uint64_t csum_add_ipv6(const Ipv6Addr& a, uint64_t acc = 0) {
  const uint8_t* p = a.b.data();
  return acc + load32(p) + load32(p + 4) + load32(p + 8) + load32(p + 12);
}

// True when an IPv4 header (ihl bytes) sums to all ones, i.e. its checksum is right.
// The common 20-byte header is summed inline.
inline bool ipv4_header_checksum_ok(const uint8_t* p, unsigned ihl) {
  uint64_t acc;
  if (ihl == 20) {
    acc = uint64_t{load32(p)} + load32(p + 4) + load32(p + 8) + load32(p + 12) + load32(p + 16);
  } else {
    acc = csum_add_bytes(p, ihl);
  }
  return csum_fold(acc) == 0xffff;
}

// The slow, obviously correct RFC 1071 sum: a reference for tests, never the packet path.
uint16_t csum_reference(const uint8_t* p, size_t n);

}  // namespace xlat
