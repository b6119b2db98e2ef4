// The endpoints the address-mapping step sees (include/xlat/endpoint.hpp): the transport
// identifiers read from golden packets, and a port-aware mapping asked with the right
// port at every place the translator maps an address (outer and inner, both directions).
#include "xlat/endpoint.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "packet_builder.hpp"
#include "xlat/headers.hpp"

namespace {

using testpkt::Bytes;
using testpkt::V4;
using testpkt::V6;

xlat::TransportIds ids_of(const Bytes& p, bool v6) {
  const uint8_t* l4 = p.data() + testpkt::l4_offset(p);
  const uint32_t avail = static_cast<uint32_t>(p.size() - testpkt::l4_offset(p));
  const uint8_t protocol = v6 ? testpkt::last_next_header(p) : p[9];
  return xlat::transport_ids(protocol, l4, avail, true);
}

TEST(TransportIds, TcpAndUdpGiveTheirPorts) {
  for (const Bytes& p : {testpkt::udp4(V4{}, 1111, 2222, testpkt::pattern(8)),
                         testpkt::tcp4(V4{}, 1111, 2222, testpkt::pattern(8))}) {
    const xlat::TransportIds ids = ids_of(p, false);
    EXPECT_TRUE(ids.present);
    EXPECT_EQ(ids.src, 1111);
    EXPECT_EQ(ids.dst, 2222);
  }
  const xlat::TransportIds ids = ids_of(testpkt::udp6(V6{}, 3333, 53, {}), true);
  EXPECT_TRUE(ids.present);
  EXPECT_EQ(ids.src, 3333);
  EXPECT_EQ(ids.dst, 53);
}

TEST(TransportIds, AnEchoGivesItsIdentifierAsBothPorts) {
  // Identifier 0x4242, Sequence Number 7.
  const xlat::TransportIds v4 = ids_of(testpkt::icmp4(V4{}, 8, 0, 0x42420007, {}), false);
  EXPECT_TRUE(v4.present);
  EXPECT_EQ(v4.src, 0x4242);
  EXPECT_EQ(v4.dst, 0x4242);
  const xlat::TransportIds v6 = ids_of(testpkt::icmp6(V6{}, 129, 0, 0x42420007, {}), true);
  EXPECT_TRUE(v6.present);
  EXPECT_EQ(v6.src, 0x4242);
}

TEST(TransportIds, AnErrorGivesThePortsOfThePacketItQuotesTurnedRound) {
  const Bytes inner4 = testpkt::udp4(V4{}, 1111, 2222, testpkt::pattern(4));
  xlat::TransportIds ids = ids_of(testpkt::icmp4(V4{}, 3, 1, 0, inner4), false);
  EXPECT_TRUE(ids.present);
  EXPECT_EQ(ids.src, 2222);
  EXPECT_EQ(ids.dst, 1111);
  V6 h;
  h.ext = {testpkt::Ext{60, Bytes{0, 1, 4, 0, 0, 0, 0}}};  // the quoted chain is walked
  const Bytes inner6 = testpkt::tcp6(h, 3333, 443, {});
  ids = ids_of(testpkt::icmp6(V6{}, 1, 0, 0, inner6), true);
  EXPECT_TRUE(ids.present);
  EXPECT_EQ(ids.src, 443);
  EXPECT_EQ(ids.dst, 3333);
  // A quoted packet cut before its ports, or a quoted non-first fragment: none.
  Bytes cut(inner4.begin(), inner4.begin() + 22);
  EXPECT_FALSE(ids_of(testpkt::icmp4(V4{}, 3, 1, 0, cut), false).present);
  V4 frag;
  frag.frag_offset = 8;
  frag.df = false;
  const Bytes later = testpkt::ipv4(frag, xlat::proto::kUdp, testpkt::pattern(8));
  EXPECT_FALSE(ids_of(testpkt::icmp4(V4{}, 3, 1, 0, later), false).present);
}

TEST(TransportIds, FragmentsOtherProtocolsAndShortHeadersGiveNone) {
  EXPECT_FALSE(ids_of(testpkt::ipv4(V4{}, 47, testpkt::pattern(8)), false).present);
  EXPECT_FALSE(ids_of(testpkt::icmp4(V4{}, 13, 0, 0x42420007, {}), false).present);
  const Bytes udp = testpkt::udp4(V4{}, 1111, 2222, {});
  const uint8_t* l4 = udp.data() + 20;
  EXPECT_FALSE(xlat::transport_ids(xlat::proto::kUdp, l4, 8, false).present);
  EXPECT_FALSE(xlat::transport_ids(xlat::proto::kUdp, l4, 3, true).present);
  EXPECT_TRUE(xlat::transport_ids(xlat::proto::kUdp, l4, 4, true).present);
}

// Covers 192.0.2.33 by port (53 maps, every other port is refused) and, the other way,
// 2001:db8:ffff::1 port 4000; records every endpoint it is asked about.
class RecordingPortMapping : public xlat::PortMapping {
 public:
  Result to6(const xlat::Endpoint4& e, xlat::Ipv6Addr& out) const override {
    asked.push_back(xlat::to_string(e.addr) + port_of(e.has_port, e.port));
    if (e.addr != *xlat::parse_ipv4("192.0.2.33")) return Result::NotCovered;
    if (!e.has_port || e.port != 53) return Result::Refused;
    out = *xlat::parse_ipv6("2001:db8:aaaa::53");
    return Result::Mapped;
  }
  Result to4(const xlat::Endpoint6& e, xlat::Ipv4Addr& out) const override {
    asked.push_back(xlat::to_string(e.addr) + port_of(e.has_port, e.port));
    if (e.addr != *xlat::parse_ipv6("2001:db8:ffff::1")) return Result::NotCovered;
    if (!e.has_port || e.port != 4000) return Result::Refused;
    out = *xlat::parse_ipv4("203.0.113.9");
    return Result::Mapped;
  }
  mutable std::vector<std::string> asked;

 private:
  static std::string port_of(bool has, uint16_t port) {
    return has ? " port " + std::to_string(port) : " no port";
  }
};

struct PortAware : ::testing::Test {
  PortAware() {
    cfg = testpkt::jool_like_config();
    mapping = std::make_shared<RecordingPortMapping>();
    cfg.port_mapping = mapping;
  }
  xlat::TranslatorConfig cfg;
  std::shared_ptr<RecordingPortMapping> mapping;
};

TEST_F(PortAware, TheOuterAddressesAreMappedWithTheirPorts) {
  V4 h;  // 198.51.100.2 -> 192.0.2.33
  testpkt::Run r = testpkt::translate(cfg, testpkt::udp4(h, 1111, 53, testpkt::pattern(8)));
  ASSERT_EQ(r.verdict, xlat::Verdict::Forward);
  EXPECT_EQ(testpkt::addr_at(r.pkts[0], 24, true), "2001:db8:aaaa::53");
  EXPECT_EQ(mapping->asked,
            (std::vector<std::string>{"192.0.2.33 port 53", "198.51.100.2 port 1111"}));

  r = testpkt::translate(cfg, testpkt::udp4(h, 1111, 54, testpkt::pattern(8)));
  EXPECT_EQ(r.reason, xlat::DropReason::Ipv4DestUnmapped);

  mapping->asked.clear();
  V6 h6;
  h6.src = "2001:db8:ffff::1";
  r = testpkt::translate(cfg, testpkt::udp6(h6, 4000, 80, testpkt::pattern(8)));
  ASSERT_EQ(r.verdict, xlat::Verdict::Forward);
  EXPECT_EQ(testpkt::addr_at(r.pkts[0], 12, false), "203.0.113.9");
  EXPECT_EQ(mapping->asked, (std::vector<std::string>{"2001:db8:1c6:3364:2:: port 80",
                                                      "2001:db8:ffff::1 port 4000"}));
}

TEST_F(PortAware, AnErrorAndThePacketInsideItAreMappedWithTheQuotedPorts) {
  // 192.0.2.33:53 (an IPv6 node's IPv4 face) sent to 198.51.100.2:5000; a router on the
  // way, 192.0.2.1, answers Port Unreachable back to it.
  V4 inner;
  inner.src = "192.0.2.33";
  inner.dst = "198.51.100.2";
  V4 outer;
  outer.src = "192.0.2.1";
  outer.dst = "192.0.2.33";
  testpkt::Run r = testpkt::translate(
      cfg, testpkt::icmp4(outer, 3, 3, 0, testpkt::udp4(inner, 53, 5000, testpkt::pattern(4))));
  ASSERT_EQ(r.verdict, xlat::Verdict::Forward);
  EXPECT_EQ(mapping->asked,
            (std::vector<std::string>{"192.0.2.33 port 53", "192.0.2.1 port 5000",
                                      "192.0.2.33 port 53", "198.51.100.2 port 5000"}));
  EXPECT_EQ(testpkt::addr_at(r.pkts[0], 24, true), "2001:db8:aaaa::53");
  // The quoted source took the port-aware mapping too: inner IPv6 header at 48.
  EXPECT_EQ(testpkt::addr_at(r.pkts[0], 48 + 8, true), "2001:db8:aaaa::53");

  // The other way: 198.51.100.2:80 (as 2001:db8:1c6:3364:2::) sent to the IPv6 node
  // 2001:db8:ffff::1 port 4000; an IPv6 router answers back to the IPv4 host.
  mapping->asked.clear();
  V6 inner6;
  inner6.src = "2001:db8:1c6:3364:2::";
  inner6.dst = "2001:db8:ffff::1";
  V6 outer6;
  outer6.src = "2001:db8:1c6:3364:1::";
  outer6.dst = "2001:db8:1c6:3364:2::";
  r = testpkt::translate(
      cfg, testpkt::icmp6(outer6, 1, 4, 0, testpkt::udp6(inner6, 80, 4000, testpkt::pattern(4))));
  ASSERT_EQ(r.verdict, xlat::Verdict::Forward);
  EXPECT_EQ(mapping->asked, (std::vector<std::string>{
                                "2001:db8:1c6:3364:2:: port 80", "2001:db8:1c6:3364:1:: port 4000",
                                "2001:db8:1c6:3364:2:: port 80", "2001:db8:ffff::1 port 4000"}));
  EXPECT_EQ(testpkt::addr_at(r.pkts[0], 28 + 16, false), "203.0.113.9");
}

}  // namespace
