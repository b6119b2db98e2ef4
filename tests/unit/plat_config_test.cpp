// tayga.conf and TOML: one directive table, one validated struct, every error with
// file:line and the directive.
#include <gtest/gtest.h>

#include "plat/plat_config.hpp"

namespace {

using xlatd::parse_plat_text;

const char* kGood = R"(# a TAYGA 0.9.2 style file
tun-device nat64
ipv4-addr 192.168.255.1
prefix 2001:db8:64::/96     # network-specific
dynamic-pool 192.168.255.0/24
data-dir /var/lib/tayga
MAP 192.168.255.10 2001:db8:1::10
map 192.168.100.0/24 2001:db8:2::/120
strict-frag-hdr on
)";

TEST(TaygaConf, ReadsTheClassicDirectives) {
  auto r = parse_plat_text(kGood, "tayga.conf", false);
  ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0].message);
  const auto& c = *r.config;
  EXPECT_EQ(c.tun_device, "nat64");
  EXPECT_EQ(xlat::to_string(c.ipv4_addr), "192.168.255.1");
  EXPECT_EQ(xlat::to_string(*c.prefix), "2001:db8:64::/96");
  EXPECT_EQ(xlat::to_string(c.ipv6_addr), "2001:db8:64::c0a8:ff01");  // prefix + ipv4-addr
  ASSERT_EQ(c.maps.size(), 2u);
  EXPECT_EQ(c.maps[1].where, "tayga.conf:8");
  EXPECT_EQ(xlat::to_string(*c.dynamic_pool), "192.168.255.0/24");
  ASSERT_EQ(c.warnings.size(), 2u);
  EXPECT_EQ(c.warnings[1], "tayga.conf:7: map: 192.168.255.10/32 overlaps the dynamic pool; those addresses are taken out of it");
  EXPECT_EQ(c.warnings[0], "tayga.conf:9: strict-frag-hdr: deprecated and ignored (fragment headers follow RFC 7915 and RFC 8021)");
}

TEST(TaygaConf, ReadsTheMaintainedTaygaDirectives) {
  auto r = parse_plat_text(R"(tun-device clat
ipv4-addr 192.0.0.2
ipv6-addr 2001:db8::2
prefix 64:ff9b::/96
wkpf-strict no
udp-cksum-mode calc
log drop reject dyn
offlink-mtu 1400
map-file maps.conf
data-dir /var/lib/tayga
workers 2
tun-up yes
tun-ip 192.0.0.2
tun-ip 2001:db8::2/64
tun-route 192.0.2.0/24
)", "t.conf", false);
  ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0].message);
  const auto& c = *r.config;
  EXPECT_FALSE(c.wkpf_strict);
  EXPECT_EQ(c.udp_cksum_mode, xlat::UdpZeroChecksum::Calculate);
  EXPECT_TRUE(c.log.drop && c.log.reject && c.log.dyn && !c.log.icmp);
  EXPECT_EQ(c.offlink_mtu, 1400u);
  EXPECT_EQ(c.map_file, "/var/lib/tayga/maps.conf");
  EXPECT_EQ(*c.workers, 2u);
  EXPECT_TRUE(*c.tun_up);
  EXPECT_EQ(c.tun_ip.size(), 2u);
  EXPECT_TRUE(c.tun_ip[1].v6);
  EXPECT_EQ(c.tun_route.size(), 1u);
  auto t = c.translator(1500);
  EXPECT_EQ(t.mtu6, 1500u);
  EXPECT_EQ(t.lowest_ipv6_mtu, 1400u);
  EXPECT_EQ(t.udp_zero_checksum, xlat::UdpZeroChecksum::Calculate);
}

struct BadCase {
  const char* body;  // appended to a minimal valid file (lines 1-3)
  const char* message;
};

const char* kBase = "tun-device nat64\nipv4-addr 192.168.255.1\nprefix 2001:db8:64::/96\n";

class TaygaConfErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(TaygaConfErrors, ExactMessage) {
  auto r = parse_plat_text(std::string(kBase) + GetParam().body, "tayga.conf", false);
  EXPECT_FALSE(r.config);
  ASSERT_FALSE(r.errors.empty());
  EXPECT_EQ(r.errors[0].message, GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Table, TaygaConfErrors,
    ::testing::Values(
        BadCase{"frobnicate yes\n", "tayga.conf:4: unknown directive 'frobnicate'"},
        BadCase{"tun-device other\n", "tayga.conf:4: tun-device: given twice (first at tayga.conf:1)"},
        BadCase{"prefix 64:ff9b::/96\n", "tayga.conf:4: prefix: given twice (first at tayga.conf:3)"},
        BadCase{"dynamic-pool\n", "tayga.conf:4: dynamic-pool: expects 1 argument, got 0"},
        BadCase{"map 192.0.2.1\n", "tayga.conf:4: map: expects 2 arguments, got 1"},
        BadCase{"map 192.0.2.0/24 2001:db8::/64\n",
                "tayga.conf:4: map: prefix lengths /24 and /64 leave different numbers of host bits (32-n4 must equal 128-n6)"},
        BadCase{"map 192.0.2.1 2001:db8::1\nmap 192.0.2.2 2001:db8::1\n",
                "tayga.conf:5: map: 2001:db8::1/128 overlaps 2001:db8::1/128 (tayga.conf:4)"},
        BadCase{"map 192.0.2.1 2001:db8:64::1\n", "tayga.conf:4: map: 2001:db8:64::1/128 overlaps prefix 2001:db8:64::/96"},
        BadCase{"map 127.0.0.1 2001:db8::1\n", "tayga.conf:4: map: 127.0.0.1 is a reserved IPv4 range"},
        BadCase{"dynamic-pool 192.168.0.0/32\n", "tayga.conf:4: dynamic-pool: the pool must be /31 or larger"},
        BadCase{"dynamic-pool 192.168.0.1/24\n", "tayga.conf:4: dynamic-pool: 192.168.0.1/24 has host bits set"},
        BadCase{"data-dir var/lib\n", "tayga.conf:4: data-dir: 'var/lib' must be an absolute path"},
        BadCase{"udp-cksum-mode fix\n", "tayga.conf:4: udp-cksum-mode: expected drop, fwd, calc or reject, got 'fix'"},
        BadCase{"wkpf-strict maybe\n", "tayga.conf:4: wkpf-strict: expected yes or no (1/0, true/false, on/off), got 'maybe'"},
        BadCase{"log drop loud\n", "tayga.conf:4: log: unknown log flag 'loud' (drop, reject, icmp, self, dyn)"},
        BadCase{"offlink-mtu 1000\n", "tayga.conf:4: offlink-mtu: '1000' is not a number from 1280 to 65535"},
        BadCase{"workers 65\n", "tayga.conf:4: workers: '65' is not a number from 0 to 64"},
        BadCase{"map-file maps.conf\n", "tayga.conf:4: map-file: a relative path needs data-dir"},
        BadCase{"metrics-listen 70000\n", "tayga.conf:4: metrics-listen: '70000' is not a port"},
        BadCase{"metrics-listen 1.2.3:99\n", "tayga.conf:4: metrics-listen: '1.2.3' is not an IPv4 address"},
        BadCase{"icmp-rate-limit lots\n", "tayga.conf:4: icmp-rate-limit: 'lots' is not a rate from 0 to 1000000 per second"},
        BadCase{"offload maybe\n", "tayga.conf:4: offload: expected yes or no (1/0, true/false, on/off), got 'maybe'"},
        BadCase{"tun-route 10.0.0.0/33\n", "tayga.conf:4: tun-route: '10.0.0.0/33' is not an IPv4 or IPv6 prefix"},
        BadCase{"ipv6-addr 2001:db8:64::1\n",
                "tayga.conf:4: ipv6-addr: 2001:db8:64::1 is inside prefix 2001:db8:64::/96 (leave ipv6-addr out to use the prefix's address for ipv4-addr)"},
        // TAYGA's map tables refuse these (conffile.c, insert_map4 / insert_map6).
        BadCase{"ipv6-addr 2001:db8:1::5\nmap 192.0.2.0/29 2001:db8:1::/125\n",
                "tayga.conf:4: ipv6-addr: 2001:db8:1::5 is inside map 2001:db8:1::/125 (tayga.conf:5)"},
        BadCase{"map 192.168.255.1 2001:db8:1::1\n",
                "tayga.conf:4: map: 192.168.255.1/32 is ipv4-addr (tayga.conf:2)"},
        BadCase{"map 192.0.2.1 2001:db8:1::1\nmap 192.0.2.1 2001:db8:1::2\n",
                "tayga.conf:5: map: 192.0.2.1/32 is already mapped (tayga.conf:4)"}));

// Issue 14, finding 10: values that used to slip through.
TEST(TaygaConf, NulBytesLongLinesAndBadInterfaceNames) {
  std::string nul = std::string("tun-device n\nipv4-addr 192.0.2.1") + '\0' + "junk\nprefix 2001:db8:64::/96\n";
  auto r = parse_plat_text(nul, "t.conf", false);
  ASSERT_FALSE(r.config);
  EXPECT_EQ(r.errors[0].message, "t.conf:2: the line contains a NUL byte");
  auto longer = parse_plat_text("tun-device n\nipv4-addr " + std::string(20 << 20, '1') + "\n", "t.conf", false);
  ASSERT_FALSE(longer.config);
  EXPECT_EQ(longer.errors[0].message, "t.conf:2: the line is longer than 4096 bytes");
  for (const char* dev : {"../x", "a/b", "a:b", ".."}) {
    auto d = parse_plat_text(std::string("tun-device ") + dev + "\nipv4-addr 192.0.2.1\nprefix 2001:db8:64::/96\n",
                               "t.conf", false);
    ASSERT_FALSE(d.config) << dev;
    EXPECT_EQ(d.errors[0].message.rfind("t.conf:1: tun-device: ", 0), 0u) << d.errors[0].message;
  }
}

TEST(TaygaConf, APoolAloneIsNothingToTranslate) {
  auto r = parse_plat_text("tun-device n\nipv4-addr 192.168.0.1\nipv6-addr 2001:db8::1\n"
                             "dynamic-pool 192.168.0.0/24\n", "t.conf", false);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "t.conf: nothing to translate: give prefix or map");
}

// clatd's generated file (and TAYGA's CLAT examples): 192.0.0.2 is not one of the
// private ranges TAYGA refuses to embed, so ipv6-addr comes from the prefix.
TEST(TaygaConf, ClatdsOwnFileIsAccepted) {
  auto r = parse_plat_text("# Ephemeral TAYGA config file written by /usr/sbin/clatd\ntun-device clat\n"
                             "prefix 64:ff9b::/96\nipv4-addr 192.0.0.2\nmap 192.0.0.1 2001:db8:0:1:211:22ff:c1a7:3344\n",
                             "clatd.conf", false);
  ASSERT_TRUE(r.config) << r.errors[0].message;
  EXPECT_EQ(xlat::to_string(r.config->ipv6_addr), "64:ff9b::c000:2");
}

// wkpf-strict no: the prefix may embed any address, ipv6-addr included.
TEST(TaygaConf, WkpfStrictNoDerivesIpv6AddrFromAPrivateIpv4) {
  auto r = parse_plat_text("tun-device n\nwkpf-strict no\nipv4-addr 192.168.240.1\nprefix 64:ff9b::/96\n",
                             "t.conf", false);
  ASSERT_TRUE(r.config) << r.errors[0].message;
  EXPECT_EQ(xlat::to_string(r.config->ipv6_addr), "64:ff9b::c0a8:f001");
}

TEST(TaygaConf, EveryErrorIsReportedNotJustTheFirst) {
  auto r = parse_plat_text("tun-device a\nbogus 1\nipv4-addr 300.1.1.1\nprefix 2001:db8::/33\n", "t.conf", false);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].message, "t.conf:2: unknown directive 'bogus'");
  EXPECT_EQ(r.errors[1].message, "t.conf:3: ipv4-addr: '300.1.1.1' is not an IPv4 address");
  EXPECT_EQ(r.errors[2].message, "t.conf:4: prefix: length /33 is not one of 32, 40, 48, 56, 64, 96 (RFC 6052)");
}

TEST(TaygaConf, RequiredDirectives) {
  auto r = parse_plat_text("prefix 2001:db8:64::/96\n", "t.conf", false);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].message, "t.conf: tun-device: required");
  EXPECT_EQ(r.errors[1].message, "t.conf: ipv4-addr: required");
}

TEST(TaygaConf, WellKnownPrefixWithPrivateIpv4NeedsAnIpv6Address) {
  auto r = parse_plat_text("tun-device n\nipv4-addr 192.168.0.1\nprefix 64:ff9b::/96\n", "t.conf", false);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message,
            "t.conf:2: ipv4-addr: ipv6-addr is required, because 192.168.0.1 is not global and cannot be embedded in the well-known prefix 64:ff9b::/96 (or set wkpf-strict no)");
}

TEST(TomlConf, SameSettingsLandInTheSameStruct) {
  auto r = parse_plat_text(R"(# the same as kGood
tun-device = "nat64"
ipv4_addr = "192.168.255.1"
prefix = "2001:db8:64::/96"
dynamic-pool = "192.168.255.0/24"
data-dir = "/var/lib/tayga"
map = ["192.168.255.10 2001:db8:1::10",
       "192.168.100.0/24 2001:db8:2::/120"]
log = ["drop", "dyn"]
workers = 2
wkpf-strict = false
)", "xlatd.toml", true);
  ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0].message);
  auto t = parse_plat_text(kGood, "tayga.conf", false);
  EXPECT_EQ(r.config->tun_device, t.config->tun_device);
  EXPECT_EQ(r.config->ipv6_addr, t.config->ipv6_addr);
  EXPECT_EQ(r.config->maps.size(), 2u);
  EXPECT_EQ(r.config->maps[1].where, "xlatd.toml:8");
  EXPECT_EQ(*r.config->workers, 2u);
  EXPECT_FALSE(r.config->wkpf_strict);
  EXPECT_TRUE(r.config->log.drop && r.config->log.dyn);
}

TEST(TomlConf, ErrorsCarryFileAndLine) {
  auto r = parse_plat_text("tun-device = \"n\"\nipv4-addr = \"192.168.255.1\"\nprefix = \"2001:db8::/33\"\n",
                             "x.toml", true);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "x.toml:3: prefix: length /33 is not one of 32, 40, 48, 56, 64, 96 (RFC 6052)");
  auto syntax = parse_plat_text("tun-device = \n", "y.toml", true);
  ASSERT_FALSE(syntax.errors.empty());
  EXPECT_EQ(syntax.errors[0].message.rfind("y.toml:1: ", 0), 0u) << syntax.errors[0].message;
}

TEST(ConfigDescribe, PrintsTheEffectiveConfiguration) {
  auto r = parse_plat_text(kGood, "tayga.conf", false);
  std::string d = r.config->describe();
  EXPECT_NE(d.find("# ipv6-addr 2001:db8:64::c0a8:ff01  (prefix + ipv4-addr)\n"), std::string::npos) << d;
  EXPECT_NE(d.find("map 192.168.100.0/24 2001:db8:2::/120\n"), std::string::npos) << d;
  // What describe() prints is itself a valid tayga.conf with the same meaning.
  auto again = parse_plat_text(d, "described", false);
  ASSERT_TRUE(again.config) << again.errors[0].message;
  EXPECT_EQ(again.config->maps.size(), 2u);
}

}  // namespace

namespace {

// On by default (where it loads: the daemon falls back with a log line), off when asked.
TEST(TaygaConf, FastPathIsOnUnlessTurnedOffInEitherSyntax) {
  auto on = xlatd::parse_plat_text(kGood, "tayga.conf", false);
  ASSERT_TRUE(on.config);
  EXPECT_TRUE(on.config->fast_path);
  auto off = xlatd::parse_plat_text(std::string(kGood) + "fast-path no\n", "tayga.conf", false);
  ASSERT_TRUE(off.config) << (off.errors.empty() ? "" : off.errors[0].message);
  EXPECT_FALSE(off.config->fast_path);
  auto toml = xlatd::parse_plat_text("tun-device = \"nat64\"\nipv4-addr = \"192.168.255.1\"\n"
                                     "prefix = \"2001:db8:64::/96\"\nfast-path = false\n", "x.toml", true);
  ASSERT_TRUE(toml.config) << (toml.errors.empty() ? "" : toml.errors[0].message);
  EXPECT_FALSE(toml.config->fast_path);
  auto bad = xlatd::parse_plat_text(std::string(kGood) + "fast-path sometimes\n", "tayga.conf", false);
  ASSERT_FALSE(bad.errors.empty());
  EXPECT_EQ(bad.errors[0].message,
            "tayga.conf:10: fast-path: expected yes or no (1/0, true/false, on/off), got 'sometimes'");
}

}  // namespace

namespace {

// xlatd's own uplink directives: the devices as given, in either syntax (a TOML array is
// the arguments); forwarding off unless asked; a name no device can have is refused.
TEST(TaygaConf, FastPathIngressNamesTheUplinksInEitherSyntax) {
  auto none = xlatd::parse_plat_text(kGood, "tayga.conf", false);
  ASSERT_TRUE(none.config);
  EXPECT_TRUE(none.config->fast_path_ingress.empty());
  EXPECT_FALSE(none.config->fast_path_forward);
  auto two = xlatd::parse_plat_text(std::string(kGood) + "fast-path-ingress eth0 eth1\nfast-path-forward yes\n",
                                    "tayga.conf", false);
  ASSERT_TRUE(two.config) << (two.errors.empty() ? "" : two.errors[0].message);
  EXPECT_EQ(two.config->fast_path_ingress, (std::vector<std::string>{"eth0", "eth1"}));
  EXPECT_TRUE(two.config->fast_path_forward);
  auto toml = xlatd::parse_plat_text("tun-device = \"nat64\"\nipv4-addr = \"192.168.255.1\"\n"
                                     "prefix = \"2001:db8:64::/96\"\nfast-path-ingress = [\"eth0\", \"wan1\"]\n",
                                     "x.toml", true);
  ASSERT_TRUE(toml.config) << (toml.errors.empty() ? "" : toml.errors[0].message);
  EXPECT_EQ(toml.config->fast_path_ingress, (std::vector<std::string>{"eth0", "wan1"}));
  EXPECT_FALSE(xlatd::parse_plat_text(std::string(kGood) + "fast-path-ingress eth0:1\n", "tayga.conf", false).errors.empty());
  auto bad = xlatd::parse_plat_text(std::string(kGood) + "fast-path-ingress eth0 averyveryverylongname\n",
                                    "tayga.conf", false);
  ASSERT_FALSE(bad.errors.empty());
  EXPECT_EQ(bad.errors[0].message, "tayga.conf:10: fast-path-ingress: 'averyveryverylongname': interface names are 1 to 15 characters");
  auto twice = xlatd::parse_plat_text(std::string(kGood) + "fast-path-ingress eth0\nfast-path-ingress eth1\n",
                                      "tayga.conf", false);
  EXPECT_FALSE(twice.errors.empty());
}

}  // namespace
