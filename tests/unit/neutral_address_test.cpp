// The checksum-neutral CLAT address (clat/neutral_address.hpp), RFC 6877 §6.3.
#include "clat/neutral_address.hpp"

#include <gtest/gtest.h>

#include <random>

#include "xlat/checksum.hpp"
#include "xlat/rfc6052.hpp"

namespace {

using namespace xlatd::clat;

TEST(Rfc6877Section6_3, ClatAddressIsChecksumNeutralForEveryDestination) {
  auto uplink = *xlat::parse_ipv6_prefix("2001:db8:aa:bb::/64");
  auto plat = *xlat::parse_ipv6_prefix("64:ff9b::/96");
  xlat::Ipv4Addr clat4 = *xlat::parse_ipv4("192.0.0.1");
  std::mt19937_64 rng(6877);
  for (int round = 0; round < 50; ++round) {
    auto c = neutral_clat_address(uplink, clat4, plat, rng());
    ASSERT_TRUE(c.neutral);
    EXPECT_TRUE(uplink.contains(c.address));
    for (int i = 0; i < 50; ++i) {
      xlat::Ipv4Addr x = static_cast<xlat::Ipv4Addr>(rng());
      uint16_t before = xlat::csum_fold(xlat::csum_add_ipv4(clat4, xlat::csum_add_ipv4(x)));
      uint16_t after = xlat::csum_fold(xlat::csum_add_ipv6(c.address, xlat::csum_add_ipv6(xlat::rfc6052_embed(plat, x))));
      // Equal as one's-complement values (0x0000 == 0xffff).
      EXPECT_TRUE(before == after || (before == 0 && after == 0xffff) || (before == 0xffff && after == 0))
          << xlat::to_string(c.address) << " " << xlat::to_string(x);
    }
  }
  EXPECT_FALSE(neutral_clat_address(uplink, clat4, *xlat::parse_ipv6_prefix("2001:db8:1:2::/64"), 1).neutral);
}

}  // namespace
