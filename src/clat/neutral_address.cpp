#include "clat/neutral_address.hpp"

#include "xlat/checksum.hpp"

namespace xlatd::clat {

namespace {

uint16_t fold16(uint64_t s) { return xlat::csum_fold(s); }

}  // namespace

ClatAddress neutral_clat_address(const xlat::Ipv6Prefix& uplink, xlat::Ipv4Addr clat_v4,
                                 const xlat::Ipv6Prefix& plat_prefix, uint64_t seed) {
  ClatAddress out;
  out.address = xlat::ipv6_masked(uplink.addr, 64);
  for (int i = 0; i < 8; ++i) out.address.b[8 + i] = static_cast<uint8_t>(seed >> (8 * i));
  out.neutral = plat_prefix.len == 96 || plat_prefix.len == 32;
  // Word 7 (bytes 14-15) is the free one: solve sum(clat) + sum(prefix) = sum(v4).
  out.address.b[14] = out.address.b[15] = 0;
  uint16_t have = fold16(xlat::csum_add_ipv6(out.address) +
                         xlat::csum_add_ipv6(xlat::ipv6_masked(plat_prefix.addr, plat_prefix.len)));
  uint16_t want = fold16(xlat::csum_add_ipv4(clat_v4));
  // x such that have + x = want in one's-complement arithmetic.
  uint16_t x = fold16(uint64_t{want} + static_cast<uint16_t>(~have));
  // 0x0000 and 0xffff are the same sum; avoid an all-ones word in an identifier.
  if (x == 0xffff) x = 0;
  out.address.b[14] = static_cast<uint8_t>(x >> 8);
  out.address.b[15] = static_cast<uint8_t>(x);
  return out;
}

}  // namespace xlatd::clat
