// CLAT building blocks: RFC 8781 PREF64, RFC 7050 prefix discovery, and the
// checksum-neutral CLAT address.
#include <gtest/gtest.h>

#include <random>

#include "clat/clat_config.hpp"
#include "clat/neutral_address.hpp"
#include "clat/prefix_discovery.hpp"
#include "xlat/checksum.hpp"
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

namespace {

TEST(ClatConfig, ClatdConfKeysAndCommandLineOverrides) {
  auto r = parse_clat_text(R"(# clatd.conf
clat-dev=clat0
clat-v4-addr=192.0.0.2
clat-v6-addr=derived
plat-prefix=64:ff9b::/96
dns64-servers=2001:db8::53, 2001:db8::54
v4-defaultroute-replace=1
v4-defaultroute-mtu=1400
proxynd-enable = 0
; clatd's other comment styles
// both of them
)", "clatd.conf", false, {"v4-defaultroute-metric=10", "script-up=/usr/local/bin/up # a shell comment"});
  ASSERT_TRUE(r.config) << r.errors[0].message;
  const auto& c = *r.config;
  EXPECT_EQ(c.clat_dev, "clat0");
  EXPECT_EQ(xlat::to_string(c.clat_v4_addr), "192.0.0.2");
  EXPECT_EQ(c.clat_v6_mode, xlatd::clat::ClatConfig::V6Mode::Derived);
  EXPECT_EQ(xlat::to_string(*c.plat_prefix), "64:ff9b::/96");
  ASSERT_EQ(c.dns64_servers.size(), 2u);
  EXPECT_TRUE(c.v4_defaultroute_replace);
  EXPECT_EQ(c.v4_defaultroute_mtu, 1400u);
  EXPECT_FALSE(c.proxynd_enable);
  EXPECT_EQ(c.v4_defaultroute_metric, 10u);
  // As in clatd, the value is everything after '=': the shell sees its own comment.
  EXPECT_EQ(c.script_up, "/usr/local/bin/up # a shell comment");
  EXPECT_TRUE(r.warnings.empty());
}

// clatd's readconf: unknown keys and lines in a file warn and are ignored; on the
// command line an unknown key stops it.
TEST(ClatConfig, UnknownKeysInAFileWarnOnTheCommandLineFail) {
  auto r = parse_clat_text("whatever=1\nnot a setting\nplat-prefix=64:ff9b::/96\n", "clatd.conf", false, {});
  ASSERT_TRUE(r.config) << r.errors[0].message;
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0], "clatd.conf:2: unknown line 'not a setting' ignored");
  EXPECT_EQ(r.warnings[1], "clatd.conf:1: unknown key 'whatever' ignored");
  auto cli = parse_clat_text("", "defaults", false, {"whatever=1"});
  ASSERT_EQ(cli.errors.size(), 1u);
  EXPECT_EQ(cli.errors[0].message, "command line: unknown key 'whatever'");
}

// Every clatd 2.1 key is known. The ones for clatd's external tools are accepted with
// a note; tayga-v4-addr is the translator's own address; numbers may be hexadecimal
// where clatd's defaults are (route-table, ctmark).
TEST(ClatConfig, EveryClatdKeyIsKnown) {
  auto r = parse_clat_text("quiet=1\ndebug=2\ncmd-ip=/sbin/ip\ncmd-networkctl=networkctl\ncmd-nft=nft\n"
                           "cmd-tayga=tayga\ncmd-ufw=ufw\ntayga-conffile=/run/t.conf\ntayga-v4-addr=192.0.1.1\n"
                           "ctmark=0xc1a8\nroute-table=0xc1a7\nv4-conncheck-enable=No\n",
                           "clatd.conf", false, {});
  ASSERT_TRUE(r.config) << r.errors[0].message;
  const auto& c = *r.config;
  EXPECT_EQ(c.quiet, 1u);
  EXPECT_EQ(c.debug, 2u);
  EXPECT_EQ(xlat::to_string(*c.tayga_v4_addr), "192.0.1.1");
  EXPECT_EQ(c.ctmark, 0xc1a8u);
  EXPECT_EQ(*c.route_table, 0xc1a7u);
  EXPECT_FALSE(c.v4_conncheck_enable);
  ASSERT_EQ(r.warnings.size(), 6u);  // cmd-* and tayga-conffile
  EXPECT_EQ(r.warnings[0], "clatd.conf:3: cmd-ip: accepted and not used: xlatd makes these changes itself, through netlink");
  EXPECT_EQ(r.warnings[5], "clatd.conf:8: tayga-conffile: accepted and not used: xlatd translates itself and writes no TAYGA file");
  // The environment script-up sees: every key, defaults included.
  EXPECT_EQ(c.settings.size(), 29u);
  EXPECT_EQ(c.settings.at("tayga-v4-addr"), "192.0.1.1");
  EXPECT_EQ(c.settings.at("v4-defaultroute-metric"), "2048");
}

// An empty address or name keeps its default, as an undefined one does in clatd; an
// empty flag or number is an error, as in clatd.
// clatd's default: the host's own address (clat-v6-addr=shared).
TEST(ClatConfig, TheDefaultAddressIsShared) {
  auto r = parse_clat_text("", "defaults", false, {});
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->clat_v6_mode, xlatd::clat::ClatConfig::V6Mode::Shared);
  EXPECT_EQ(r.config->settings.at("clat-v6-addr"), "shared");
  auto d = parse_clat_text("clat-v6-addr=derived\n", "clatd.conf", false, {});
  EXPECT_EQ(d.config->clat_v6_mode, xlatd::clat::ClatConfig::V6Mode::Derived);
}

TEST(ClatConfig, EmptyValues) {
  auto r = parse_clat_text("tayga-v4-addr=\nplat-dev=\n", "clatd.conf", false, {});
  ASSERT_TRUE(r.config) << r.errors[0].message;
  EXPECT_FALSE(r.config->tayga_v4_addr);
  auto marks = parse_clat_text("ctmark=\nroute-table=\n", "clatd.conf", false, {});
  ASSERT_TRUE(marks.config) << marks.errors[0].message;
  EXPECT_EQ(marks.config->ctmark, 0xc1a7u);
  EXPECT_FALSE(marks.config->route_table);
  auto zero = parse_clat_text("ctmark=0\n", "clatd.conf", false, {});
  ASSERT_EQ(zero.errors.size(), 1u);
  EXPECT_EQ(zero.errors[0].message, "clatd.conf:1: ctmark: expected a connection mark (a number, 0x... allowed), got '0'");
  auto bad = parse_clat_text("proxynd-enable=\n", "clatd.conf", false, {});
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].message, "clatd.conf:1: proxynd-enable: expected 1 or 0 (yes/no), got ''");
}

// Issue 14, finding 10: values that used to slip through.
TEST(ClatConfig, ReservedPrefixesAddressesAndBadNames) {
  for (const char* bad : {"plat-prefix=ff02::/96", "plat-prefix=fe80::/64", "plat-prefix=::ffff:0:0/96",
                          "plat-prefix=2001:db8::1/96", "clat-v6-addr=ff02::1", "clat-dev=../x",
                          "clat-dev=a b", "plat-fallback-prefix=ff00::/96"}) {
    auto r = parse_clat_text("", "defaults", false, {bad});
    EXPECT_FALSE(r.config) << bad;
  }
  auto nul = parse_clat_text(std::string("plat-prefix=64:ff9b::/96") + '\0' + "x\n", "clatd.conf", false, {});
  ASSERT_EQ(nul.errors.size(), 1u);
  EXPECT_EQ(nul.errors[0].message, "clatd.conf:1: the line contains a NUL byte");
  EXPECT_TRUE(parse_clat_text("", "defaults", false, {"plat-prefix=64:ff9b::/96"}).config);
}

TEST(ClatConfig, AndroidsClatdConfIsRefused) {
  auto r = parse_clat_text("# host ID\nipv6_host_id ::200:5E10:0:0\nipv4_local_subnet 192.168.255.1\n",
                           "clatd.conf", false, {});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "clatd.conf:2: 'ipv6_host_id ::200:5E10:0:0' is Android's clatd.conf format (another program); "
            "this reads the key=value settings of clatd (toreanderson/clatd)");
}

TEST(ClatConfig, ErrorsNameFileAndLine) {
  auto r = parse_clat_text("clat-dev=clat\nclat-v4-addr=10.0.0.1\nwhatever=1\nplat-prefix=64:ff9b::/33\n",
                           "clatd.conf", false, {"v4-defaultroute-mtu=10"});
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].message, "clatd.conf:2: clat-v4-addr: '10.0.0.1' is not an address in 192.0.0.0/29 (RFC 7335)");
  EXPECT_EQ(r.errors[1].message, "clatd.conf:4: plat-prefix: '64:ff9b::/33' is not an RFC 6052 prefix (/32, /40, /48, /56, /64 or /96)");
  EXPECT_EQ(r.errors[2].message, "command line: v4-defaultroute-mtu: expected a number from 68 to 65535, got '10'");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "clatd.conf:3: unknown key 'whatever' ignored");
}

TEST(ClatConfig, TomlLandsInTheSameStruct) {
  auto r = parse_clat_text("clat-dev = \"clat1\"\nplat_prefix = \"2001:db8:64::/96\"\n"
                           "dns64-servers = [\"2001:db8::53\"]\nforwarding-enable = false\n",
                           "clat.toml", true, {});
  ASSERT_TRUE(r.config) << r.errors[0].message;
  EXPECT_EQ(r.config->clat_dev, "clat1");
  EXPECT_EQ(xlat::to_string(*r.config->plat_prefix), "2001:db8:64::/96");
  EXPECT_EQ(r.config->dns64_servers.size(), 1u);
  EXPECT_FALSE(r.config->forwarding_enable);
}

}  // namespace

#include "clat/conntrack_mark.hpp"

namespace {

// clat-v6-addr=shared: the marking rules, as libnftables is given them.
TEST(ClatSharedAddress, MarkingRules) {
  EXPECT_EQ(xlatd::clat::conntrack_mark_table("clat-eth0.1"), "xlatd_clat_clat_eth0_1");
  std::string r = xlatd::clat::conntrack_mark_ruleset("clat", *xlat::parse_ipv6("2001:db8:1::5"),
                                                      *xlat::parse_ipv6_prefix("64:ff9b::/96"), 0xc1a7);
  EXPECT_NE(r.find("add chain ip6 xlatd_clat_clat prerouting { type filter hook prerouting priority mangle; "),
            std::string::npos) << r;
  EXPECT_NE(r.find("iifname \"clat\" ip6 saddr 2001:db8:1::5 ip6 daddr 64:ff9b::/96 ct mark set 49575\n"),
            std::string::npos) << r;
  EXPECT_NE(r.find("iifname != \"clat\" ct mark 49575 meta mark set ct mark\n"), std::string::npos) << r;
}

}  // namespace
