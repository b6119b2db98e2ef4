// The IPv6 extension header walk (include/xlat/ipv6_chain.hpp) and the packet summaries
// built on it.
#include "xlat/ipv6_chain.hpp"

#include <gtest/gtest.h>

#include "packet_builder.hpp"
#include "xlat/packet_summary.hpp"

namespace {

using testpkt::Bytes;
using testpkt::Ext;
using testpkt::V6;

// Six bytes of padding after Next Header and Hdr Ext Len: an 8-byte option header.
Ext options(uint8_t type) { return Ext{type, Bytes{0, 1, 4, 0, 0, 0, 0}}; }
// Routing header type 0 style, 8 bytes: Hdr Ext Len 0, Routing Type, Segments Left.
Ext routing(uint8_t segments_left) { return Ext{43, Bytes{0, 4, segments_left, 0, 0, 0, 0}}; }

TEST(Rfc8200Section4, TheWalkPassesEveryExtensionHeaderToTheUpperLayer) {
  V6 h;
  h.ext = {options(0), routing(0), Ext{44, testpkt::fragment_ext(0, true, 7)}, options(60)};
  // A Destination Options header after the Fragment Header is still a chain, but RFC
  // 7915 §5.1.1 refuses it: the walk says so.
  Bytes p = testpkt::udp6(h, 1000, 53, testpkt::pattern(12));
  xlat::Ipv6Chain c;
  EXPECT_EQ(xlat::walk_ipv6_chain(p.data(), static_cast<uint32_t>(p.size()), c),
            xlat::ChainStatus::ExtAfterFragment);

  h.ext = {options(0), routing(0), options(60), Ext{44, testpkt::fragment_ext(0, true, 7)}};
  p = testpkt::udp6(h, 1000, 53, testpkt::pattern(12));
  ASSERT_EQ(xlat::walk_ipv6_chain(p.data(), static_cast<uint32_t>(p.size()), c),
            xlat::ChainStatus::Ok);
  EXPECT_EQ(c.protocol, xlat::proto::kUdp);
  EXPECT_EQ(c.l4_offset, 40u + 8 + 8 + 8 + 8);
  EXPECT_EQ(c.next_header_ptr, 40u + 24);  // the Fragment Header's Next Header byte
  EXPECT_TRUE(c.has_frag);
  EXPECT_TRUE(c.frag_more);
  EXPECT_EQ(c.frag_id, 7u);
  EXPECT_EQ(c.segments_left_ptr, 0u);
  EXPECT_EQ(testpkt::be16(p, c.l4_offset + 2), 53);
}

TEST(Rfc8200Section4, ARoutingHeaderWithSegmentsLeftIsPointedAt) {
  V6 h;
  h.ext = {options(0), routing(2)};
  Bytes p = testpkt::udp6(h, 1000, 53, {});
  xlat::Ipv6Chain c;
  ASSERT_EQ(xlat::walk_ipv6_chain(p.data(), static_cast<uint32_t>(p.size()), c),
            xlat::ChainStatus::Ok);
  EXPECT_EQ(c.segments_left_ptr, 40u + 8 + 3);
}

TEST(Rfc8200Section4, PastANonFirstFragmentTheBytesArePayload) {
  V6 h;
  h.ext = {Ext{44, testpkt::fragment_ext(1232, false, 9)}};
  // The payload starts with bytes that would read as a Hop-by-Hop header.
  Bytes p = testpkt::ipv6(h, xlat::proto::kHopByHop, Bytes(16, 0));
  xlat::Ipv6Chain c;
  ASSERT_EQ(xlat::walk_ipv6_chain(p.data(), static_cast<uint32_t>(p.size()), c),
            xlat::ChainStatus::Ok);
  EXPECT_EQ(c.protocol, xlat::proto::kHopByHop);
  EXPECT_EQ(c.l4_offset, 48u);
  EXPECT_FALSE(c.first_fragment());
  EXPECT_TRUE(c.is_fragment());
}

TEST(Rfc8200Section4, AHeaderRunningPastThePacketIsTruncated) {
  V6 h;
  h.ext = {Ext{60, Bytes{2, 0, 0, 0, 0, 0, 0}}};  // claims 24 bytes, has 8
  Bytes p = testpkt::ipv6(h, xlat::proto::kUdp, {});
  xlat::Ipv6Chain c;
  EXPECT_EQ(xlat::walk_ipv6_chain(p.data(), static_cast<uint32_t>(p.size()), c),
            xlat::ChainStatus::Truncated);
  uint32_t offset;
  uint8_t protocol;
  EXPECT_FALSE(xlat::transport_header(p.data(), static_cast<uint32_t>(p.size()), offset, protocol));
}

TEST(Rfc8200Section4, TheTransportHeaderOfIpv4IsPastItsOptions) {
  testpkt::V4 h;
  h.options = {1, 1, 1, 0};
  Bytes p = testpkt::udp4(h, 1000, 53, {});
  uint32_t offset = 0;
  uint8_t protocol = 0;
  ASSERT_TRUE(xlat::transport_header(p.data(), static_cast<uint32_t>(p.size()), offset, protocol));
  EXPECT_EQ(offset, 24u);
  EXPECT_EQ(protocol, xlat::proto::kUdp);
}

TEST(PacketSummary, NamesTheUpperLayerBehindExtensionHeaders) {
  V6 h;
  h.ext = {options(60)};
  Bytes p = testpkt::udp6(h, 1000, 53, {});
  const std::string s = xlat::summarize_packet(p.data(), static_cast<uint32_t>(p.size()));
  EXPECT_NE(s.find("UDP 1000 > 53"), std::string::npos) << s;
}

TEST(PacketSummary, AFragmentSaysWhereItLies) {
  V6 h;
  h.ext = {Ext{44, testpkt::fragment_ext(1232, true, 9)}};
  Bytes p = testpkt::ipv6(h, xlat::proto::kUdp, Bytes(16, 0));
  const std::string s = xlat::summarize_packet(p.data(), static_cast<uint32_t>(p.size()));
  EXPECT_NE(s.find("frag offset 1232 M"), std::string::npos) << s;
  EXPECT_EQ(s.find("UDP"), std::string::npos) << s;
}

}  // namespace
