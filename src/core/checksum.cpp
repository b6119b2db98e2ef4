#include "xlat/checksum.hpp"

#include <cstring>

#include "xlat/bytes.hpp"

namespace xlat {

uint64_t csum_add_bytes(const uint8_t* p, size_t n, uint64_t acc) {
  // Sum 32-bit big-endian words into a 64-bit accumulator: the carries collect in the
  // upper half and are folded once at the end. 2^32 words of 2^32 cannot overflow it.
  while (n >= 8) {
    acc += load32(p);
    acc += load32(p + 4);
    p += 8;
    n -= 8;
  }
  if (n >= 4) {
    acc += load32(p);
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    acc += load16(p);
    p += 2;
    n -= 2;
  }
  if (n == 1) acc += uint32_t{p[0]} << 8;
  return acc;
}

uint16_t csum_reference(const uint8_t* p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) {
    sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  }
  if (n % 2 == 1) {
    sum += static_cast<uint32_t>(p[n - 1] << 8);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
  }
  return static_cast<uint16_t>(~sum);
}

}  // namespace xlat
