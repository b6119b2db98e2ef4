// RFC 8781 PREF64 options and RFC 7050 prefix discovery (clat/prefix_discovery.hpp).
#include "clat/prefix_discovery.hpp"

#include <gtest/gtest.h>

#include "xlat/rfc6052.hpp"

namespace {

using namespace xlatd::clat;
using Bytes = std::vector<uint8_t>;

Bytes pref64_option(uint16_t lifetime_units, uint8_t plc, const char* prefix) {
  Bytes o(16, 0);
  o[0] = 38;
  o[1] = 2;
  uint16_t w = static_cast<uint16_t>(lifetime_units << 3 | plc);
  o[2] = static_cast<uint8_t>(w >> 8);
  o[3] = static_cast<uint8_t>(w);
  auto a = *xlat::parse_ipv6(prefix);
  std::copy(a.b.begin(), a.b.begin() + 12, o.begin() + 4);
  return o;
}

Bytes router_advertisement(std::vector<Bytes> options) {
  Bytes m = {134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0};
  for (auto& o : options) m.insert(m.end(), o.begin(), o.end());
  return m;
}

TEST(Rfc8781Section4, Pref64OptionLengthsAndLifetime) {
  auto p = parse_pref64_option(pref64_option(225, 0, "64:ff9b::"));
  ASSERT_TRUE(p);
  EXPECT_EQ(xlat::to_string(p->prefix), "64:ff9b::/96");
  EXPECT_EQ(p->lifetime_seconds, 1800u);  // 225 x 8 s
  const std::pair<uint8_t, const char*> codes[] = {{1, "2001:db8:1:2::/64"}, {2, "2001:db8:1::/56"},
                                                   {3, "2001:db8:1::/48"}, {4, "2001:db8::/40"},
                                                   {5, "2001:db8::/32"}};
  for (auto [plc, want] : codes) {
    auto q = parse_pref64_option(pref64_option(10, plc, "2001:db8:1:2::"));
    ASSERT_TRUE(q) << int(plc);
    EXPECT_EQ(xlat::to_string(q->prefix), want) << int(plc);
  }
  EXPECT_FALSE(parse_pref64_option(pref64_option(10, 6, "64:ff9b::")));  // unknown PLC: ignored
  EXPECT_FALSE(parse_pref64_option(pref64_option(10, 7, "64:ff9b::")));
}

TEST(Rfc8781Section4, FromARouterAdvertisementAmongOtherOptions) {
  Bytes mtu = {5, 1, 0, 0, 0, 0, 0x05, 0xdc};
  Bytes prefix_info(32, 0);
  prefix_info[0] = 3;
  prefix_info[1] = 4;
  auto ra = router_advertisement({mtu, pref64_option(0, 0, "2001:db8:64::"), prefix_info,
                                  pref64_option(100, 0, "64:ff9b::")});
  auto found = pref64_from_router_advertisement(ra);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].lifetime_seconds, 0u);  // lifetime 0: withdrawn
  EXPECT_EQ(xlat::to_string(found[1].prefix), "64:ff9b::/96");
  // A zero-length option ends the walk; nothing after it is believed.
  auto bad = router_advertisement({Bytes{1, 0, 0, 0, 0, 0, 0, 0}, pref64_option(1, 0, "64:ff9b::")});
  EXPECT_TRUE(pref64_from_router_advertisement(bad).empty());
}

TEST(Rfc7050Section3, PrefixFromTheWellKnownAddressesAtEveryPosition) {
  std::vector<xlat::Ipv6Addr> answers;
  for (const char* p : {"64:ff9b::/96", "2001:db8:1:2::/64", "2001:db8:100::/40"}) {
    answers.push_back(xlat::rfc6052_embed(*xlat::parse_ipv6_prefix(p), 0xc00000aa));
  }
  answers.push_back(xlat::rfc6052_embed(*xlat::parse_ipv6_prefix("64:ff9b::/96"), 0xc00000ab));  // same prefix
  auto prefixes = prefixes_from_ipv4only_answers(answers);
  ASSERT_EQ(prefixes.size(), 3u);
  EXPECT_EQ(xlat::to_string(prefixes[0]), "64:ff9b::/96");
  EXPECT_EQ(xlat::to_string(prefixes[1]), "2001:db8:1:2::/64");
  EXPECT_EQ(xlat::to_string(prefixes[2]), "2001:db8:100::/40");
  // An address that embeds something else is no prefix.
  EXPECT_TRUE(prefixes_from_ipv4only_answers({*xlat::parse_ipv6("64:ff9b::808:808")}).empty());
}

TEST(Rfc7050Section3, AaaaAnswersFromADnsResponse) {
  // ipv4only.arpa AAAA, two answers, the second name compressed.
  Bytes m = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0};
  Bytes name = {8, 'i', 'p', 'v', '4', 'o', 'n', 'l', 'y', 4, 'a', 'r', 'p', 'a', 0};
  m.insert(m.end(), name.begin(), name.end());
  m.insert(m.end(), {0, 28, 0, 1});
  // TTLs 70000 (it needs both 16-bit halves) and 300: the answer lives 300 s.
  for (auto [a, ttl] : {std::pair{"64:ff9b::c000:aa", 70000u}, std::pair{"64:ff9b::c000:ab", 300u}}) {
    m.insert(m.end(), {0xc0, 12, 0, 28, 0, 1, static_cast<uint8_t>(ttl >> 24), static_cast<uint8_t>(ttl >> 16),
                       static_cast<uint8_t>(ttl >> 8), static_cast<uint8_t>(ttl), 0, 16});
    auto v6 = *xlat::parse_ipv6(a);
    m.insert(m.end(), v6.b.begin(), v6.b.end());
  }
  uint32_t ttl = 1;
  auto got = aaaa_answers(m, &ttl);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(ttl, 300u);
  Bytes first_only(m.begin(), m.end() - 28);
  aaaa_answers(first_only, &ttl);
  EXPECT_EQ(ttl, 70000u);
  aaaa_answers(Bytes(m.begin(), m.begin() + 12), &ttl);
  EXPECT_EQ(ttl, 0u);
  EXPECT_EQ(xlat::to_string(got[1]), "64:ff9b::c000:ab");
  EXPECT_EQ(prefixes_from_ipv4only_answers(got).size(), 1u);
  // Truncated: what was read before the damage.
  Bytes cut(m.begin(), m.end() - 5);
  EXPECT_EQ(aaaa_answers(cut).size(), 1u);
}

}  // namespace
