// The CLAT's decisions and what it reads from the host: RFC 8781 PREF64 lifetimes, the
// prefix source order, native IPv4, and the /proc/net and resolv.conf parsers.
#include <gtest/gtest.h>

#include "clat/clat_plan.hpp"
#include "clat/host_probe.hpp"
#include "clat/pref64_tracker.hpp"
#include "clat/prefix_discovery.hpp"

namespace {

using namespace xlatd::clat;

xlat::Ipv6Prefix P(const char* s) { return *xlat::parse_ipv6_prefix(s); }
xlat::Ipv6Addr A(const char* s) { return *xlat::parse_ipv6(s); }

TEST(Rfc8781Section5, PrefixLivesForItsLifetimeThenExpires) {
  Pref64Tracker t;
  EXPECT_TRUE(t.on_router_advertisement(A("fe80::1"), true, {{P("2001:db8:64::/96"), 600}}, 1000));
  EXPECT_EQ(t.current(), P("2001:db8:64::/96"));
  EXPECT_EQ(t.remaining(1100), 500);
  EXPECT_FALSE(t.expire(1599));
  EXPECT_TRUE(t.expire(1600));
  EXPECT_FALSE(t.current().has_value());
}

TEST(Rfc8781Section4, LifetimeZeroWithdrawsTheRoutersPrefix) {
  Pref64Tracker t;
  t.on_router_advertisement(A("fe80::1"), true, {{P("2001:db8:64::/96"), 600}}, 0);
  // Another router's withdrawal does not touch it.
  EXPECT_FALSE(t.on_router_advertisement(A("fe80::2"), false, {{P("2001:db8:64::/96"), 0}}, 1));
  EXPECT_EQ(t.current(), P("2001:db8:64::/96"));
  EXPECT_TRUE(t.on_router_advertisement(A("fe80::1"), true, {{P("2001:db8:64::/96"), 0}}, 2));
  EXPECT_FALSE(t.current().has_value());
}

// Issue 14, finding 4: the newest announcement used to win, so a rogue node and the
// real router made the prefix flap with every RA.
TEST(Rfc8781Section5, ThePrefixInUseIsKeptWhileValid) {
  Pref64Tracker t;
  t.on_router_advertisement(A("fe80::1"), true, {{P("2001:db8:64::/96"), 600}}, 0);
  for (int64_t now = 1; now < 100; now += 2) {
    EXPECT_FALSE(t.on_router_advertisement(A("fe80::bad"), true, {{P("2001:db8:bad::/96"), 600}}, now));
    EXPECT_FALSE(t.on_router_advertisement(A("fe80::1"), true, {{P("2001:db8:64::/96"), 600}}, now + 1));
    EXPECT_EQ(t.current(), P("2001:db8:64::/96"));
  }
  // Once it is gone (withdrawn here), the other valid one takes over.
  EXPECT_TRUE(t.on_router_advertisement(A("fe80::1"), true, {{P("2001:db8:64::/96"), 0}}, 200));
  EXPECT_EQ(t.current(), P("2001:db8:bad::/96"));
}

TEST(Rfc8781Section5, TheOwningRouterMovesItsPrefixByNoLongerListingIt) {
  Pref64Tracker t;
  t.on_router_advertisement(A("fe80::1"), false, {{P("2001:db8:64::/96"), 600}}, 0);
  EXPECT_TRUE(t.on_router_advertisement(A("fe80::1"), false, {{P("2001:db8:65::/96"), 600}}, 10));
  EXPECT_EQ(t.current(), P("2001:db8:65::/96"));
  EXPECT_EQ(t.current_router(), A("fe80::1"));
}

TEST(Rfc8781Section5, ANewChoicePrefersADefaultRouterThenTheLongestStanding) {
  Pref64Tracker t;
  t.on_router_advertisement(A("fe80::3"), false, {{P("2001:db8:3::/96"), 100}}, 0);   // in use first
  t.on_router_advertisement(A("fe80::4"), false, {{P("2001:db8:4::/96"), 600}}, 1);
  t.on_router_advertisement(A("fe80::5"), false, {{P("2001:db8:5::/96"), 600}}, 2);
  t.on_router_advertisement(A("fe80::6"), true, {{P("2001:db8:6::/96"), 600}}, 3);
  t.on_router_advertisement(A("fe80::7"), true, {{P("2001:db8:7::/96"), 600}}, 4);
  EXPECT_EQ(t.current(), P("2001:db8:3::/96"));
  // Refreshes keep the time a prefix was first learned.
  t.on_router_advertisement(A("fe80::6"), true, {{P("2001:db8:6::/96"), 600}}, 50);
  EXPECT_TRUE(t.expire(100));
  EXPECT_EQ(t.current(), P("2001:db8:6::/96"));
  EXPECT_TRUE(t.on_router_advertisement(A("fe80::6"), true, {}, 101));  // its list is empty now
  EXPECT_EQ(t.current(), P("2001:db8:7::/96"));
  EXPECT_TRUE(t.on_router_advertisement(A("fe80::7"), true, {{P("2001:db8:7::/96"), 0}}, 102));
  EXPECT_EQ(t.current(), P("2001:db8:4::/96"));
}

TEST(Rfc8781Section5, StateIsBoundedAndThePrefixInUseSurvivesAFlood) {
  Pref64Tracker t;
  t.on_router_advertisement(A("fe80::1"), false, {{P("2001:db8:64::/96"), 600}}, 0);
  std::vector<Pref64> ninety;
  for (int i = 0; i < 90; ++i) {
    xlat::Ipv6Addr a = A("2001:db8:100::");
    a.b[4] = static_cast<uint8_t>(i);
    ninety.push_back({{a, 96}, 600});
  }
  for (int r = 0; r < 200; ++r) {
    xlat::Ipv6Addr router = A("fe80::1:0");
    router.b[14] = static_cast<uint8_t>(r >> 8);
    router.b[15] = static_cast<uint8_t>(r);
    EXPECT_FALSE(t.on_router_advertisement(router, r % 2 == 0, ninety, 1 + r));
  }
  EXPECT_EQ(t.current(), P("2001:db8:64::/96"));
  EXPECT_GT(t.not_learned(), 200u * (90 - Pref64Tracker::kMaxPerRouter));
  // The real router is still heard: its refresh is learned, not refused.
  const uint64_t refused = t.not_learned();
  t.on_router_advertisement(A("fe80::1"), false, {{P("2001:db8:64::/96"), 600}}, 500);
  EXPECT_EQ(t.not_learned(), refused);
}

TEST(Rfc7050Section3_1, Pref64ThatCannotBeANat64PrefixIsRefused) {
  const auto uplink = P("2001:db8:1::/64");
  EXPECT_EQ(pref64_problem(P("2001:db8:64::/96"), uplink), "");
  EXPECT_NE(pref64_problem(P("ff02::/96"), uplink), "");
  EXPECT_NE(pref64_problem(P("fe80::/96"), uplink), "");
  EXPECT_NE(pref64_problem(P("::ffff:0:0/96"), uplink), "");
  EXPECT_NE(pref64_problem(P("::/96"), uplink), "");
  EXPECT_NE(pref64_problem(P("2001:db8:1:0:64::/96"), uplink).find("uplink's own prefix"), std::string::npos);
  EXPECT_NE(pref64_problem(P("2001:db8::/32"), uplink).find("uplink's own prefix"), std::string::npos);
  EXPECT_EQ(pref64_problem(P("2001:db8:1:0:64::/96"), std::nullopt), "");
}

ClatConfig config() {
  ClatConfig c;
  c.plat_fallback_prefix = P("2001:db8:ff::/96");
  return c;
}

Observation seen() {
  Observation o;
  o.uplink = "eth0";
  o.uplink_prefix = P("2001:db8:1::/64");
  return o;
}

TEST(Rfc6877Section6_3, PrefixSourcesInOrderConfiguredPref64Dns64Fallback) {
  ClatConfig c = config();
  Observation o = seen();
  Plan p = decide(c, o);
  EXPECT_EQ(p.prefix_source, "plat-fallback-prefix");
  o.dns64 = {P("2001:db8:d::/96"), P("2001:db8:e::/64")};
  p = decide(c, o);
  EXPECT_EQ(p.prefix_source, "DNS64");
  EXPECT_EQ(p.plat_prefix, P("2001:db8:d::/96"));
  o.pref64 = P("2001:db8:a::/96");
  p = decide(c, o);
  EXPECT_EQ(p.prefix_source, "PREF64");
  EXPECT_EQ(p.plat_prefix, P("2001:db8:a::/96"));
  c.plat_prefix = P("64:ff9b::/96");
  p = decide(c, o);
  EXPECT_EQ(p.prefix_source, "plat-prefix");
  EXPECT_TRUE(p.translate);
  EXPECT_TRUE(p.default_route);
}

TEST(Rfc6877Section6_3, NothingToTranslateWithoutPrefixUplinkOrAddress) {
  ClatConfig c;
  Observation o = seen();
  Plan p = decide(c, o);
  EXPECT_FALSE(p.translate);
  EXPECT_NE(p.why.find("no PLAT prefix"), std::string::npos);
  o.pref64 = P("2001:db8:a::/96");
  o.uplink_prefix.reset();
  p = decide(c, o);
  EXPECT_FALSE(p.translate);
  EXPECT_NE(p.why.find("no global IPv6 address"), std::string::npos);
  // A configured address needs no uplink /64.
  c.clat_v6_mode = ClatConfig::V6Mode::Fixed;
  EXPECT_TRUE(decide(c, o).translate);
  o.uplink.clear();
  EXPECT_FALSE(decide(c, o).translate);
  EXPECT_FALSE(decide(c, o).default_route);
}

TEST(Rfc6877Section6_3, NativeIpv4KeepsTheClatOutOfTheDefaultRoute) {
  ClatConfig c = config();
  Observation o = seen();
  o.native_ipv4 = true;
  Plan p = decide(c, o);
  EXPECT_TRUE(p.translate);
  EXPECT_FALSE(p.default_route);
  EXPECT_EQ(p.route_why, "native IPv4 is present");
  c.v4_defaultroute_replace = true;
  EXPECT_TRUE(decide(c, o).default_route);
  c.v4_defaultroute_replace = false;
  c.v4_conncheck_enable = false;
  EXPECT_TRUE(decide(c, o).default_route);
  c.v4_conncheck_enable = true;
  o.native_ipv4 = false;
  o.conncheck_waited = false;
  EXPECT_FALSE(decide(c, o).default_route);
  c.v4_defaultroute_enable = false;
  o.conncheck_waited = true;
  EXPECT_FALSE(decide(c, o).default_route);
}

TEST(HostProbe, UplinkPrefixFromTheFirstUsableGlobalAddress) {
  const std::vector<Ipv6IfAddr> addrs = {
      {A("fe80::1"), 64, "eth0", false, true},        // link-local
      {A("2001:db8:1::5"), 64, "eth0", true, false},  // tentative
      {A("2001:db8:2::5"), 64, "eth0", true, true},
      {A("2001:db8:3::5"), 64, "wlan0", true, true},
  };
  EXPECT_EQ(uplink_prefix(addrs, "eth0"), P("2001:db8:2::/64"));
  EXPECT_EQ(uplink_address(addrs, "eth0"), A("2001:db8:2::5"));
  EXPECT_EQ(uplink_prefix(addrs, "wlan0"), P("2001:db8:3::/64"));
  EXPECT_FALSE(uplink_prefix(addrs, "eth1").has_value());
}

TEST(HostProbe, ResolvConfNameservers) {
  auto ns = parse_resolv_conf("# comment\nsearch lab\nnameserver 192.0.2.53\nnameserver fe80::1%eth0\n"
                              "nameserver 2001:db8::53\nnameserver bogus\n");
  ASSERT_EQ(ns.size(), 3u);
  EXPECT_FALSE(ns[0].v6);
  EXPECT_EQ(xlat::to_string(ns[0].v4), "192.0.2.53");
  EXPECT_EQ(ns[1].v6addr, A("fe80::1"));
  EXPECT_EQ(ns[2].v6addr, A("2001:db8::53"));
}

TEST(Rfc7050Section3, TheQueryAsksIpv4onlyArpaForAaaa) {
  auto q = ipv4only_query(0x1234);
  const std::vector<uint8_t> want = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 8, 'i', 'p', 'v', '4', 'o', 'n',
                                     'l',  'y',  4,    'a',  'r', 'p', 'a', 0, 0, 28, 0, 1};
  EXPECT_EQ(q, want);
  // Our own query is not a response; a response carries the id back.
  EXPECT_FALSE(dns_response_id(q).has_value());
  q[2] |= 0x80;
  EXPECT_EQ(dns_response_id(q), 0x1234);
  EXPECT_FALSE(dns_response_id(std::span<const uint8_t>(q.data(), 5)).has_value());
}

}  // namespace

namespace {

using xlatd::clat::check_ipv4only_response;
using xlatd::clat::DnsVerdict;

// Issue 14, finding 3: only the answer to the question asked counts (RFC 5452 §9.1).
TEST(Rfc7050Section3, OnlyTheAnswerToOurQuestionCounts) {
  auto reply = [](uint16_t id) {
    auto r = xlatd::clat::ipv4only_query(id);
    r[2] |= 0x80;  // QR
    return r;
  };
  EXPECT_EQ(check_ipv4only_response(reply(7), 7), DnsVerdict::Answer);
  EXPECT_EQ(check_ipv4only_response(reply(7), 8), DnsVerdict::NotOurs);  // another id
  auto upper = reply(7);
  upper[13] = 'I';  // "Ipv4only.arpa": names compare without case (RFC 4343)
  EXPECT_EQ(check_ipv4only_response(upper, 7), DnsVerdict::Answer);
  auto other = reply(7);
  other[14] = 'x';  // another name
  EXPECT_EQ(check_ipv4only_response(other, 7), DnsVerdict::NotOurs);
  auto type_a = reply(7);
  type_a[type_a.size() - 3] = 1;  // QTYPE A
  EXPECT_EQ(check_ipv4only_response(type_a, 7), DnsVerdict::NotOurs);
  auto tc = reply(7);
  tc[2] |= 0x02;
  EXPECT_EQ(check_ipv4only_response(tc, 7), DnsVerdict::Truncated);
  auto servfail = reply(7);
  servfail[3] = (servfail[3] & 0xf0) | 2;
  EXPECT_EQ(check_ipv4only_response(servfail, 7), DnsVerdict::Failed);
  auto nxdomain = reply(7);
  nxdomain[3] = (nxdomain[3] & 0xf0) | 3;
  EXPECT_EQ(check_ipv4only_response(nxdomain, 7), DnsVerdict::Answer);
  auto notify = reply(7);
  notify[2] |= 4 << 3;  // OPCODE NOTIFY
  EXPECT_EQ(check_ipv4only_response(notify, 7), DnsVerdict::NotOurs);
  auto cut = reply(7);
  cut.resize(20);
  EXPECT_EQ(check_ipv4only_response(cut, 7), DnsVerdict::NotOurs);
}

// A "prefix" no unicast packet can use is not adopted, whatever the resolver says.
TEST(Rfc7050Section3, ReservedPrefixesAreNotAdopted) {
  EXPECT_TRUE(xlatd::clat::prefixes_from_ipv4only_answers({*xlat::parse_ipv6("ff02::c000:aa")}).empty());
  EXPECT_TRUE(xlatd::clat::prefixes_from_ipv4only_answers({*xlat::parse_ipv6("fe80::c000:aa")}).empty());
  EXPECT_EQ(xlatd::clat::prefixes_from_ipv4only_answers({*xlat::parse_ipv6("2001:db8:64::c000:aa")}).size(), 1u);
}

}  // namespace
