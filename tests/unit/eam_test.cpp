// RFC 7757: Explicit Address Mappings.
#include <gtest/gtest.h>

#include "xlat/eam.hpp"

namespace {

using namespace xlat;

EamEntry entry(const char* v4, const char* v6) {
  return {*parse_ipv4_prefix(v4), *parse_ipv6_prefix(v6)};
}

TEST(Rfc7757Section3_3, SingleHostBothWays) {
  EamTable t({entry("192.0.2.1", "2001:db8:aaaa::")});
  Ipv6Addr v6;
  ASSERT_TRUE(t.lookup4(*parse_ipv4("192.0.2.1"), v6));
  EXPECT_EQ(to_string(v6), "2001:db8:aaaa::");
  Ipv4Addr v4;
  ASSERT_TRUE(t.lookup6(*parse_ipv6("2001:db8:aaaa::"), v4));
  EXPECT_EQ(to_string(v4), "192.0.2.1");
  EXPECT_FALSE(t.lookup4(*parse_ipv4("192.0.2.2"), v6));
  EXPECT_FALSE(t.lookup6(*parse_ipv6("2001:db8:aaaa::1"), v4));
}

TEST(Rfc7757Section3_3, SuffixCopiedRightAfterTheIpv6Prefix) {
  // /24 ↔ /120: the last octet; /24 ↔ /72: octet 9 (bits 72-79).
  EamTable t({entry("198.51.100.0/24", "2001:db8:1c6:3364::/72"),
              entry("10.0.0.0/24", "2001:db8:2::/120")});
  Ipv6Addr v6;
  ASSERT_TRUE(t.lookup4(*parse_ipv4("198.51.100.2"), v6));
  EXPECT_EQ(to_string(v6), "2001:db8:1c6:3364:2::");
  ASSERT_TRUE(t.lookup4(*parse_ipv4("10.0.0.10"), v6));
  EXPECT_EQ(to_string(v6), "2001:db8:2::a");
  Ipv4Addr v4;
  ASSERT_TRUE(t.lookup6(*parse_ipv6("2001:db8:1c6:3364:2::"), v4));
  EXPECT_EQ(to_string(v4), "198.51.100.2");
}

TEST(Rfc7757Section3_3, LongestPrefixWinsOnBothSides) {
  EamTable t({entry("192.0.2.0/24", "2001:db8:100::/120"),
              entry("192.0.2.128/25", "2001:db8:200::/121"),
              entry("192.0.2.7", "2001:db8:300::7")});
  Ipv6Addr v6;
  ASSERT_TRUE(t.lookup4(*parse_ipv4("192.0.2.7"), v6));
  EXPECT_EQ(to_string(v6), "2001:db8:300::7");
  ASSERT_TRUE(t.lookup4(*parse_ipv4("192.0.2.200"), v6));
  EXPECT_EQ(to_string(v6), "2001:db8:200::48");  // 200 - 128 = 72 = 0x48
  ASSERT_TRUE(t.lookup4(*parse_ipv4("192.0.2.8"), v6));
  EXPECT_EQ(to_string(v6), "2001:db8:100::8");
  Ipv4Addr v4;
  ASSERT_TRUE(t.lookup6(*parse_ipv6("2001:db8:200::48"), v4));
  EXPECT_EQ(to_string(v4), "192.0.2.200");
}

TEST(Rfc7757Section3_2, Ipv6SuffixMustHoldTheIpv4Suffix) {
  EXPECT_TRUE(eam_entry_valid(entry("192.0.2.0/24", "2001:db8::/120")));
  EXPECT_TRUE(eam_entry_valid(entry("192.0.2.0/24", "2001:db8::/64")));
  EXPECT_FALSE(eam_entry_valid(entry("192.0.2.0/24", "2001:db8::/121")));
}

TEST(Rfc7757Section3_3, WholeIpv4SpaceMapsToA96) {
  EamTable t({entry("0.0.0.0/0", "2001:db8:64::/96")});
  Ipv6Addr v6;
  ASSERT_TRUE(t.lookup4(*parse_ipv4("203.0.113.9"), v6));
  EXPECT_EQ(to_string(v6), "2001:db8:64::cb00:7109");
  Ipv4Addr v4;
  ASSERT_TRUE(t.lookup6(v6, v4));
  EXPECT_EQ(to_string(v4), "203.0.113.9");
}

}  // namespace

namespace {

TEST(Prefixes, OverlapMeansOneContainsTheOther) {
  using xlat::parse_ipv4_prefix;
  using xlat::parse_ipv6_prefix;
  EXPECT_TRUE(parse_ipv4_prefix("192.168.2.0/30")->overlaps(*parse_ipv4_prefix("192.168.2.3")));
  EXPECT_TRUE(parse_ipv4_prefix("192.168.2.3")->overlaps(*parse_ipv4_prefix("192.168.2.0/30")));
  EXPECT_FALSE(parse_ipv4_prefix("192.168.2.0/30")->overlaps(*parse_ipv4_prefix("192.168.2.4")));
  EXPECT_TRUE(parse_ipv6_prefix("2001:db8:1::/126")->overlaps(*parse_ipv6_prefix("2001:db8:1::3")));
  EXPECT_FALSE(parse_ipv6_prefix("2001:db8:1::/126")->overlaps(*parse_ipv6_prefix("2001:db8:1::4")));
  EXPECT_TRUE(parse_ipv6_prefix("::/0")->overlaps(*parse_ipv6_prefix("2001:db8::1")));
}

}  // namespace
