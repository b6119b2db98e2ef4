// RFC 6052 §2.2 / §2.4: IPv4-embedded IPv6 addresses, and §3.1 (well-known prefix).
#include <gtest/gtest.h>

#include "xlat/rfc6052.hpp"

namespace {

using namespace xlat;

struct Example {
  const char* prefix;
  const char* embedded;
};

// RFC 6052 §2.4, Table 1: 192.0.2.33 under each prefix length.
const Example kTable1[] = {
    {"2001:db8::/32", "2001:db8:c000:221::"},
    {"2001:db8:100::/40", "2001:db8:1c0:2:21::"},
    {"2001:db8:122::/48", "2001:db8:122:c000:2:2100::"},
    {"2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::"},
    {"2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0"},
    {"2001:db8:122:344::/96", "2001:db8:122:344::c000:221"},
};

TEST(Rfc6052Section2_4, Table1EmbedsEveryPrefixLength) {
  Ipv4Addr v4 = *parse_ipv4("192.0.2.33");
  for (const auto& e : kTable1) {
    auto p = *parse_ipv6_prefix(e.prefix);
    EXPECT_EQ(to_string(rfc6052_embed(p, v4)), to_string(*parse_ipv6(e.embedded))) << e.prefix;
  }
}

TEST(Rfc6052Section2_4, Table1ExtractsEveryPrefixLength) {
  for (const auto& e : kTable1) {
    auto p = *parse_ipv6_prefix(e.prefix);
    EXPECT_EQ(to_string(rfc6052_extract(p, *parse_ipv6(e.embedded))), "192.0.2.33") << e.prefix;
  }
}

TEST(Rfc6052Section2_2, BitsSixtyFourToSeventyOneStayZero) {
  for (unsigned len : {32u, 40u, 48u, 56u, 64u}) {
    Ipv6Prefix p{*parse_ipv6("2001:db8::"), static_cast<uint8_t>(len)};
    EXPECT_EQ(rfc6052_embed(p, 0xffffffff).b[8], 0) << len;
  }
}

TEST(Rfc6052Section2_2, SuffixBitsIgnoredOnExtraction) {
  auto p = *parse_ipv6_prefix("2001:db8:100::/40");
  auto a = *parse_ipv6("2001:db8:1c0:2:21:ffff:ffff:ffff");
  EXPECT_EQ(to_string(rfc6052_extract(p, a)), "192.0.2.33");
}

TEST(Rfc6052Section2_2, OnlyTheSixLengthsAreValid) {
  for (unsigned len = 0; len <= 128; ++len) {
    bool want = len == 32 || len == 40 || len == 48 || len == 56 || len == 64 || len == 96;
    EXPECT_EQ(rfc6052_valid_length(len), want) << len;
  }
}

TEST(Rfc6052Section3_1, NonGlobalAddresses) {
  for (const char* a : {"10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1", "127.0.0.1",
                        "169.254.1.1", "192.0.2.1", "198.51.100.1", "203.0.113.1", "198.18.0.1",
                        "0.1.2.3", "224.0.0.1", "255.255.255.255"}) {
    EXPECT_FALSE(ipv4_is_global(*parse_ipv4(a))) << a;
  }
  for (const char* a : {"8.8.8.8", "1.1.1.1", "100.128.0.1", "172.32.0.1", "193.0.0.1"}) {
    EXPECT_TRUE(ipv4_is_global(*parse_ipv4(a))) << a;
  }
}

}  // namespace
