// Address mapping: lookup order (static maps, dynamic pool, prefix), reserved ranges,
// RFC 6052 §3.1 wkpf-strict.
#include <gtest/gtest.h>

#include "fake_pool.hpp"
#include "xlat/address_map.hpp"

namespace {

using namespace xlat;

TranslatorConfig base() {
  TranslatorConfig c;
  c.prefix = parse_ipv6_prefix("2001:db8:64::/96");
  c.eam = EamTable({{*parse_ipv4_prefix("192.0.2.10"), *parse_ipv6_prefix("2001:db8:1::10")}});
  return c;
}

TEST(AddressMap, StaticMapBeatsThePrefix) {
  auto c = base();
  Ipv6Addr v6;
  ASSERT_EQ(map_4to6(c, nullptr, *parse_ipv4("192.0.2.10"), v6), MapStatus::Ok);
  EXPECT_EQ(to_string(v6), "2001:db8:1::10");
  ASSERT_EQ(map_4to6(c, nullptr, *parse_ipv4("192.0.2.11"), v6), MapStatus::Ok);
  EXPECT_EQ(to_string(v6), "2001:db8:64::c000:20b");
}

TEST(AddressMap, ReservedAddressesNeverMap) {
  auto c = base();
  Ipv6Addr v6;
  for (const char* a : {"0.0.0.1", "127.0.0.1", "169.254.0.1", "224.0.0.1", "239.0.0.1", "255.255.255.255"}) {
    EXPECT_EQ(map_4to6(c, nullptr, *parse_ipv4(a), v6), MapStatus::Unmapped) << a;
    EXPECT_TRUE(ipv4_reserved(*parse_ipv4(a))) << a;
  }
  // Class E is unicast (TAYGA translates it; its docs/rfc.md).
  for (const char* a : {"240.0.0.1", "251.5.6.7", "255.255.255.254"}) {
    EXPECT_FALSE(ipv4_reserved(*parse_ipv4(a))) << a;
    EXPECT_EQ(map_4to6(c, nullptr, *parse_ipv4(a), v6), MapStatus::Ok) << a;
  }
  // A prefix address that embeds a reserved IPv4 address is Reserved (dropped silently),
  // not Unmapped (answered).
  Ipv4Addr v4;
  EXPECT_EQ(map_6to4(c, nullptr, *parse_ipv6("2001:db8:64::7f00:1"), v4, false), MapStatus::Reserved);
  EXPECT_EQ(map_6to4(c, nullptr, *parse_ipv6("2001:db8:64::e000:1"), v4, false), MapStatus::Reserved);
  for (const char* a : {"::1", "::", "::ffff:192.0.2.1", "fe80::1", "ff02::1"}) {
    EXPECT_TRUE(ipv6_reserved(*parse_ipv6(a))) << a;
  }
  EXPECT_FALSE(ipv6_reserved(*parse_ipv6("64:ff9b::c000:201")));
}

TEST(Rfc6052Section3_1, WellKnownPrefixRefusesNonGlobalWhenStrict) {
  TranslatorConfig c;
  c.prefix = parse_ipv6_prefix("64:ff9b::/96");
  Ipv6Addr v6;
  Ipv4Addr v4;
  EXPECT_EQ(map_4to6(c, nullptr, *parse_ipv4("10.0.0.1"), v6), MapStatus::Unmapped);
  EXPECT_EQ(map_6to4(c, nullptr, *parse_ipv6("64:ff9b::a00:1"), v4, false), MapStatus::Unmapped);
  EXPECT_EQ(map_4to6(c, nullptr, *parse_ipv4("8.8.8.8"), v6), MapStatus::Ok);
  EXPECT_EQ(to_string(v6), "64:ff9b::808:808");
  c.wkpf_strict = false;
  EXPECT_EQ(map_4to6(c, nullptr, *parse_ipv4("10.0.0.1"), v6), MapStatus::Ok);
}

TEST(Rfc6052Section3_1, LocalUsePrefixIsNotRestricted) {
  TranslatorConfig c;
  c.prefix = parse_ipv6_prefix("64:ff9b:1::/48");
  Ipv6Addr v6;
  EXPECT_EQ(map_4to6(c, nullptr, *parse_ipv4("10.0.0.1"), v6), MapStatus::Ok);
}

TEST(AddressMap, PoolRangeNeverFallsThroughToThePrefix) {
  auto c = base();
  testpkt::FakePool pool(*parse_ipv4_prefix("192.168.255.0/24"), 2);
  Ipv6Addr v6;
  EXPECT_EQ(map_4to6(c, &pool, *parse_ipv4("192.168.255.1"), v6), MapStatus::Unmapped);
  Ipv4Addr v4;
  auto host = *parse_ipv6("2001:db8:beef::1");
  EXPECT_EQ(map_6to4(c, &pool, host, v4, false), MapStatus::Unmapped);
  ASSERT_EQ(map_6to4(c, &pool, host, v4, true), MapStatus::Ok);
  EXPECT_EQ(to_string(v4), "192.168.255.1");
  ASSERT_EQ(map_4to6(c, &pool, v4, v6), MapStatus::Ok);
  EXPECT_EQ(v6, host);
}

TEST(AddressMap, PrefixAddressesNeverTakeAPoolAddress) {
  auto c = base();
  testpkt::FakePool pool(*parse_ipv4_prefix("192.168.255.0/24"), 2);
  Ipv4Addr v4;
  ASSERT_EQ(map_6to4(c, &pool, *parse_ipv6("2001:db8:64::c000:221"), v4, true), MapStatus::Ok);
  EXPECT_EQ(to_string(v4), "192.0.2.33");
  EXPECT_EQ(pool.size(), 0u);
}

TEST(AddressMap, ExhaustedPoolIsReported) {
  auto c = base();
  testpkt::FakePool pool(*parse_ipv4_prefix("192.168.255.0/24"), 1);
  Ipv4Addr v4;
  ASSERT_EQ(map_6to4(c, &pool, *parse_ipv6("2001:db8:beef::1"), v4, true), MapStatus::Ok);
  EXPECT_EQ(map_6to4(c, &pool, *parse_ipv6("2001:db8:beef::2"), v4, true), MapStatus::Exhausted);
}

}  // namespace
