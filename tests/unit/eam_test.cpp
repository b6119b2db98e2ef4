// RFC 7757: Explicit Address Mappings.
#include <gtest/gtest.h>

#include <array>
#include <random>

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

TEST(Rfc7757Section3_3, LongestIpv6PrefixWinsWhenIpv6SidesNest) {
  // The IPv6 sides nest (/96 holds /120 holds /128); each address takes the longest.
  EamTable t({entry("10.0.0.0/8", "2001:db8:64::/96"),
              entry("192.0.2.0/24", "2001:db8:64::a00:0/120"),
              entry("203.0.113.5", "2001:db8:64::a00:7")});
  Ipv4Addr v4;
  ASSERT_TRUE(t.lookup6(*parse_ipv6("2001:db8:64::a00:7"), v4));
  EXPECT_EQ(to_string(v4), "203.0.113.5");
  ASSERT_TRUE(t.lookup6(*parse_ipv6("2001:db8:64::a00:8"), v4));
  EXPECT_EQ(to_string(v4), "192.0.2.8");
  ASSERT_TRUE(t.lookup6(*parse_ipv6("2001:db8:64::102:300"), v4));
  EXPECT_EQ(to_string(v4), "10.1.2.3");
  EXPECT_FALSE(t.lookup6(*parse_ipv6("2001:db8:64::1:a00:7"), v4));
  EXPECT_EQ(t.levels6(), 3u);
  EXPECT_EQ(t.levels4(), 3u);
}

TEST(Rfc7757Section3_3, ThePrefixGivenFirstWinsOverAnEqualOne) {
  EamTable t({entry("192.0.2.1", "2001:db8::1"), entry("192.0.2.1", "2001:db8::2"),
              entry("192.0.2.3", "2001:db8::1")});
  Ipv6Addr v6;
  ASSERT_TRUE(t.lookup4(*parse_ipv4("192.0.2.1"), v6));
  EXPECT_EQ(to_string(v6), "2001:db8::1");
  Ipv4Addr v4;
  ASSERT_TRUE(t.lookup6(*parse_ipv6("2001:db8::1"), v4));
  EXPECT_EQ(to_string(v4), "192.0.2.1");
  EXPECT_EQ(t.entries().size(), 3u);
}

// The hashed table against the rule itself: a linear scan for the longest containing
// prefix, over random nested tables and addresses drawn near their entries.
TEST(Rfc7757Section3_3, HashedLookupsEqualALinearLongestMatch) {
  std::mt19937_64 rng(7757);
  for (int round = 0; round < 40; ++round) {
    std::vector<EamEntry> es;
    const int n = 1 + static_cast<int>(rng() % 300);
    for (int i = 0; i < n; ++i) {
      // Few bases, so that prefixes nest and collide on both sides.
      const uint8_t len4 = static_cast<uint8_t>(std::array<int, 6>{32, 32, 24, 28, 16, 0}[rng() % 6]);
      const uint8_t len6 = static_cast<uint8_t>(128 - (32 - len4) - (rng() % 3 == 0 ? rng() % 8 : 0));
      Ipv4Prefix p4{static_cast<Ipv4Addr>(0xc0000200u + (rng() % 64) * (rng() % 2 ? 1 : 0x100)), len4};
      Ipv6Addr a6{};
      a6.b = {0x20, 0x01, 0x0d, 0xb8};
      a6.b[12 + rng() % 4] = static_cast<uint8_t>(rng() % 4);
      a6.b[15] = static_cast<uint8_t>(rng());
      es.push_back({p4, {a6, len6}});
    }
    EamTable t(es);
    const auto masked = t.entries();
    for (int k = 0; k < 2000; ++k) {
      const auto& near = masked[rng() % masked.size()];
      const Ipv4Addr a4 = near.v4.addr ^ static_cast<Ipv4Addr>(rng() % 512);
      Ipv6Addr a6 = near.v6.addr;
      a6.b[15] ^= static_cast<uint8_t>(rng());
      a6.b[14] ^= static_cast<uint8_t>(rng() % 4);
      // The reference: the longest containing prefix, the first of equal ones.
      const EamEntry* best4 = nullptr;
      const EamEntry* best6 = nullptr;
      for (const auto& e : masked) {
        if (e.v4.contains(a4) && (!best4 || e.v4.len > best4->v4.len)) best4 = &e;
        if (e.v6.contains(a6) && (!best6 || e.v6.len > best6->v6.len)) best6 = &e;
      }
      Ipv6Addr out6;
      ASSERT_EQ(t.lookup4(a4, out6), best4 != nullptr) << to_string(a4);
      if (best4) {
        EamTable one({*best4});
        Ipv6Addr want;
        ASSERT_TRUE(one.lookup4(a4, want));
        EXPECT_EQ(to_string(out6), to_string(want)) << to_string(a4);
      }
      Ipv4Addr out4;
      ASSERT_EQ(t.lookup6(a6, out4), best6 != nullptr) << to_string(a6);
      if (best6) {
        EamTable one({*best6});
        Ipv4Addr want;
        ASSERT_TRUE(one.lookup6(a6, want));
        EXPECT_EQ(out4, want) << to_string(a6);
      }
    }
  }
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
