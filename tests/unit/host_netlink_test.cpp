// What Netlink reads about the host (addresses, IPv4 default routes, the kernel's own
// route choice), checked against a real kernel: each test runs in a network namespace
// of its own, made by one thread for itself, with veth links set up by `ip`.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/netlink.hpp"
#include "netns.hpp"

namespace {

using xlatd::Netlink;

xlat::Ipv6Addr A(const char* s) { return *xlat::parse_ipv6(s); }

using xlat::test::in_new_netns;
using xlat::test::ip;

// Two veth pairs (this kernel may have no dummy links), both ends up. Every address a
// test reads it adds itself: the kernel's own link-local ones come when the carrier
// does, asynchronously.
void two_uplinks() {
  for (const char* n : {"up0", "up1"}) {
    ip(std::string("link add ") + n + " type veth peer name " + n + "p");
    ip(std::string("link set ") + n + "p up");
    ip(std::string("link set ") + n + " up");
  }
}

// clatd asks `ip -6 route get PLAT-PREFIX`; so does the CLAT, and a policy rule that
// sends the PLAT's traffic into another table wins over a longer match in main (a
// reader of the main table's text, as /proc/net/ipv6_route was, picked up0 here).
TEST(HostState, TheUplinkIsTheKernelsChoiceWithPolicyRulesApplied) {
  const bool ran = in_new_netns([] {
    two_uplinks();
    ip("-6 route add 2001:db8:64::/96 dev up0");
    ip("-6 route add default dev up1 table 100");
    Netlink nl;
    ASSERT_TRUE(nl.ok());
    std::string err;
    EXPECT_EQ(nl.route_dev6(A("2001:db8:64::1"), err), "up0") << err;
    ip("-6 rule add pref 100 to 2001:db8:64::/96 lookup 100");
    EXPECT_EQ(nl.route_dev6(A("2001:db8:64::1"), err), "up1") << err;
    // The unspecified address (no prefix known yet) follows the default route.
    ip("-6 route add default dev up0 metric 2048");
    EXPECT_EQ(nl.route_dev6(A("::"), err), "up0") << err;
    // A reject route is no way out, and says so.
    ip("-6 route add unreachable 2001:db8:65::/96");
    err.clear();
    EXPECT_EQ(nl.route_dev6(A("2001:db8:65::1"), err), "");
    EXPECT_FALSE(err.empty());
  });
  if (!ran) GTEST_SKIP() << "needs root for a network namespace";
}

TEST(HostState, AddressesCarryScopeAndUsability) {
  const bool ran = in_new_netns([] {
    two_uplinks();
    ip("-6 addr add 2001:db8:2::5/64 dev up0 nodad");
    ip("-6 addr add 2001:db8:3::5/64 dev up0 nodad preferred_lft 0");  // deprecated
    ip("-6 addr add 2001:db8:4::5/56 dev up1 nodad");
    ip("-6 addr add fe80::99/64 dev up1 nodad");
    Netlink nl;
    std::vector<xlatd::HostAddress6> got;
    std::string err;
    ASSERT_TRUE(nl.ipv6_addresses(got, err)) << err;
    auto find = [&](const char* a) -> const xlatd::HostAddress6* {
      for (const auto& h : got) {
        if (h.addr == A(a)) return &h;
      }
      return nullptr;
    };
    const auto* ok = find("2001:db8:2::5");
    ASSERT_NE(ok, nullptr);
    EXPECT_EQ(ok->dev, "up0");
    EXPECT_EQ(ok->prefix_len, 64);
    EXPECT_TRUE(ok->global);
    EXPECT_TRUE(ok->usable);
    const auto* old = find("2001:db8:3::5");
    ASSERT_NE(old, nullptr);
    EXPECT_FALSE(old->usable);
    const auto* other = find("2001:db8:4::5");
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->dev, "up1");
    EXPECT_EQ(other->prefix_len, 56);
    const auto* link_local = find("fe80::99");
    ASSERT_NE(link_local, nullptr);
    EXPECT_FALSE(link_local->global);
    EXPECT_TRUE(link_local->usable);
  });
  if (!ran) GTEST_SKIP() << "needs root for a network namespace";
}

TEST(HostState, Ipv4DefaultRoutesOfTheMainTableOnly) {
  const bool ran = in_new_netns([] {
    two_uplinks();
    ip("addr add 10.0.0.2/24 dev up0");
    ip("route add default via 10.0.0.1 dev up0 metric 100");
    ip("route add 10.1.0.0/16 dev up1");
    ip("route add default dev up1 table 100");
    Netlink nl;
    std::vector<xlatd::DefaultRoute4> got;
    std::string err;
    ASSERT_TRUE(nl.ipv4_default_routes(got, err)) << err;
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].dev, "up0");
    EXPECT_EQ(xlat::to_string(got[0].gateway), "10.0.0.1");
    EXPECT_EQ(got[0].metric, 100u);
  });
  if (!ran) GTEST_SKIP() << "needs root for a network namespace";
}

}  // namespace
