// clat-v6-addr=shared: the connection marking (clat/conntrack_mark.hpp).
#include "clat/conntrack_mark.hpp"

#include <gtest/gtest.h>

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
