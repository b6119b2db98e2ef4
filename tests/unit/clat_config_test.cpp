// CLAT mode's configuration (clat/clat_config.cpp): clatd 2.1's keys, files and command
// line, through the shared directive table.
#include <gtest/gtest.h>

#include "clat/clat_config.hpp"
#include "xlat/addr.hpp"

using namespace xlatd::clat;

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
  EXPECT_EQ(bad.errors[0].message, "clatd.conf:1: proxynd-enable: expected yes or no (1/0, true/false, on/off), got ''");
}

// Every key with an empty value is a configuration or an error, never a crash (the
// fuzzer found `fast-path=` throwing: xlatd's own key has no clatd default).
TEST(ClatConfig, EveryKeyEmptyIsAValueOrAnError) {
  for (const char* key : {"quiet", "debug", "tayga-v4-addr", "ctmark", "clat-dev", "clat-v4-addr",
                          "clat-v6-addr", "plat-prefix", "plat-dev", "plat-fallback-prefix",
                          "dns64-servers", "v4-conncheck-enable", "v4-conncheck-delay",
                          "v4-defaultroute-enable", "v4-defaultroute-replace",
                          "v4-defaultroute-metric", "v4-defaultroute-mtu",
                          "v4-defaultroute-advmss", "proxynd-enable", "forwarding-enable",
                          "script-up", "script-down", "route-table", "fast-path", "cmd-ip",
                          "tayga-conffile"}) {
    SCOPED_TRACE(key);
    xlatd::clat::ClatLoad r;
    ASSERT_NO_THROW(r = parse_clat_text(std::string(key) + "=\n", "clatd.conf", false, {}));
    EXPECT_NE(r.config.has_value(), !r.errors.empty());
  }
  auto fast = parse_clat_text("fast-path=\n", "clatd.conf", false, {});
  ASSERT_EQ(fast.errors.size(), 1u);
  EXPECT_EQ(fast.errors[0].message, "clatd.conf:1: fast-path: expected yes or no (1/0, true/false, on/off), got ''");
  auto off = parse_clat_text("fast-path=no\n", "clatd.conf", false, {});
  ASSERT_TRUE(off.config);
  EXPECT_FALSE(off.config->fast_path);
  EXPECT_EQ(off.config->settings.at("fast-path"), "no");
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


namespace {

// --check-config prints every key xlatd uses, in clatd.conf's syntax; read back, the
// printout is the same configuration (and prints the same).
TEST(ClatConfig, TheEffectiveConfigurationReadsBackAsItself) {
  auto r = parse_clat_text("clat-dev=clat9\nclat-v6-addr=2001:db8:1::64\nplat-prefix=2001:db8:64::/96\n"
                           "dns64-servers=2001:db8::53,2001:db8::54\nv4-defaultroute-enable=no\n"
                           "route-table=0x10\ntayga-v4-addr=192.0.0.5\nscript-up=/bin/up # arg\n",
                           "clatd.conf", false, {"v4-defaultroute-mtu=1400"});
  ASSERT_TRUE(r.config) << r.errors[0].message;
  std::string shown = describe_clat_config(*r.config);
  EXPECT_NE(shown.find("clat-dev=clat9\n"), std::string::npos) << shown;
  EXPECT_NE(shown.find("clat-v6-addr=2001:db8:1::64\n"), std::string::npos) << shown;
  EXPECT_NE(shown.find("dns64-servers=2001:db8::53,2001:db8::54\n"), std::string::npos) << shown;
  EXPECT_NE(shown.find("v4-defaultroute-enable=0\n"), std::string::npos) << shown;
  EXPECT_NE(shown.find("v4-defaultroute-mtu=1400\n"), std::string::npos) << shown;
  EXPECT_NE(shown.find("route-table=16\n"), std::string::npos) << shown;
  EXPECT_NE(shown.find("plat-dev=\n"), std::string::npos) << shown;  // the default route's
  EXPECT_EQ(shown.find("cmd-ip"), std::string::npos) << shown;     // not used: not shown
  auto again = parse_clat_text(shown, "shown", false, {});
  ASSERT_TRUE(again.config) << again.errors[0].message;
  EXPECT_TRUE(again.warnings.empty()) << again.warnings[0];
  EXPECT_EQ(describe_clat_config(*again.config), shown);
  EXPECT_EQ(again.config->script_up, "/bin/up # arg");
  // script-up's environment keeps the values as written (clatd's %CFG), not as shown.
  EXPECT_EQ(r.config->settings.at("route-table"), "0x10");
}

// clatd: a later line, and then the command line, replace a value.
TEST(ClatConfig, ALaterValueWins) {
  auto r = parse_clat_text("clat-dev=a\nclat-dev=b\nv4-defaultroute-mtu=1300\n", "clatd.conf", false,
                           {"clat-dev=c"});
  ASSERT_TRUE(r.config) << r.errors[0].message;
  EXPECT_EQ(r.config->clat_dev, "c");
  EXPECT_EQ(r.config->settings.at("clat-dev"), "c");
  EXPECT_EQ(r.config->v4_defaultroute_mtu, 1300u);
}

// The same boolean words as tayga.conf, in TOML too (booleans there are 1 and 0, as
// clatd writes them for script-up).
TEST(ClatConfig, OneBooleanSpelling) {
  for (const char* yes : {"1", "yes", "On", "TRUE"}) {
    auto r = parse_clat_text(std::string("proxynd-enable=") + yes + "\n", "clatd.conf", false, {});
    ASSERT_TRUE(r.config) << yes;
    EXPECT_TRUE(r.config->proxynd_enable) << yes;
  }
  auto t = parse_clat_text("proxynd-enable = false\n", "c.toml", true, {});
  ASSERT_TRUE(t.config);
  EXPECT_FALSE(t.config->proxynd_enable);
  EXPECT_EQ(t.config->settings.at("proxynd-enable"), "0");
}

}  // namespace

#include "xlat/rfc6052.hpp"

namespace {

// RFC 6877 §6.3: the host's IPv4 address maps to the CLAT's IPv6 address, every other
// one through the PLAT prefix; the translator's own IPv4 address is clat-v4-addr's
// neighbour (clatd gives TAYGA 192.0.0.2), or tayga-v4-addr.
TEST(Rfc6877Section6_3, TheTranslatorSettingsOfAClatConfiguration) {
  auto r = parse_clat_text("clat-v4-addr=192.0.0.7\n", "clatd.conf", false, {});
  ASSERT_TRUE(r.config);
  const auto clat_v6 = *xlat::parse_ipv6("2001:db8:1::c1a7");
  const auto prefix = *xlat::parse_ipv6_prefix("2001:db8:64::/96");
  xlat::TranslatorConfig t = r.config->translator(1500, prefix, clat_v6);
  EXPECT_EQ(xlat::to_string(t.own_v4), "192.0.0.6");  // the neighbour inside the /29
  EXPECT_EQ(t.own_v6, xlat::rfc6052_embed(prefix, t.own_v4));
  xlat::Ipv6Addr mapped;
  ASSERT_TRUE(t.eam.lookup4(*xlat::parse_ipv4("192.0.0.7"), mapped));
  EXPECT_EQ(mapped, clat_v6);
  EXPECT_FALSE(t.eam.lookup4(*xlat::parse_ipv4("192.0.2.1"), mapped));
  EXPECT_EQ(t.udp_zero_checksum, xlat::UdpZeroChecksum::Calculate);
  EXPECT_EQ(t.mtu4, 1500u);
  auto own = parse_clat_text("tayga-v4-addr=192.0.0.5\n", "clatd.conf", false, {});
  EXPECT_EQ(xlat::to_string(own.config->translator(1500, std::nullopt, clat_v6).own_v4), "192.0.0.5");
  EXPECT_TRUE(own.config->translator(1500, std::nullopt, clat_v6).eam.empty());
  EXPECT_EQ(xlat::to_string(parse_clat_text("", "d", false, {}).config->translator_address()), "192.0.0.2");
}

}  // namespace
