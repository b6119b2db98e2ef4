// RFC 7915 §4: IPv4 → IPv6, section by section, on packets built field by field.
#include <gtest/gtest.h>

#include "packet_builder.hpp"
#include "xlat/headers.hpp"

namespace {

using namespace testpkt;
using xlat::DropReason;
using xlat::Verdict;

const char* kSrc6 = "2001:db8:1c6:3364:2::";  // 198.51.100.2 under 2001:db8:100::/40
const char* kDst6 = "2001:db8:1c0:2:21::";    // 192.0.2.33

TEST(Rfc7915Section4_1, HeaderFieldsOfAnUnfragmentedUdpPacket) {
  V4 h;
  h.tos = 0xb8;
  h.ttl = 17;
  auto in = udp4(h, 1000, 53, pattern(100));
  auto r = translate(jool_like_config(), in);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  ASSERT_EQ(r.pkts.size(), 1u);
  const Bytes& o = r.pkts[0];
  ASSERT_EQ(o.size(), 40u + 108u);
  EXPECT_EQ(o[0] >> 4, 6);
  EXPECT_EQ(((o[0] & 0xf) << 4) | (o[1] >> 4), 0xb8);      // Traffic Class = TOS
  EXPECT_EQ(be32(o, 0) & 0xfffff, 0u);                      // Flow Label 0
  EXPECT_EQ(be16(o, 4), 108);                               // Payload Length
  EXPECT_EQ(o[6], 17);                                      // Next Header = protocol
  EXPECT_EQ(o[7], 16);                                      // Hop Limit = TTL - 1
  EXPECT_EQ(addr_at(o, 8, true), kSrc6);
  EXPECT_EQ(addr_at(o, 24, true), kDst6);
  EXPECT_TRUE(l4_checksum_ok(o));
  EXPECT_TRUE(std::equal(in.begin() + 28, in.end(), o.begin() + 48));  // payload untouched
}

TEST(Rfc7915Section4_1, TtlOneIsAnsweredWithTimeExceeded) {
  V4 h;
  h.ttl = 1;
  auto in = udp4(h, 1000, 53, pattern(20));
  auto r = translate(jool_like_config(), in);
  ASSERT_EQ(r.verdict, Verdict::Reply);
  EXPECT_EQ(r.reason, DropReason::Ipv4TtlExpired);
  ASSERT_EQ(r.pkts.size(), 1u);
  const Bytes& e = r.pkts[0];
  EXPECT_EQ(e[9], 1);                              // ICMP
  EXPECT_EQ(addr_at(e, 12, false), "198.51.100.1");  // from the translator
  EXPECT_EQ(addr_at(e, 16, false), "198.51.100.2");  // back to the sender
  EXPECT_EQ(e[8], 64);
  EXPECT_EQ(e[20], 11);
  EXPECT_EQ(e[21], 0);
  EXPECT_TRUE(ipv4_header_checksum_ok(e));
  EXPECT_TRUE(l4_checksum_ok(e));
  EXPECT_TRUE(std::equal(in.begin(), in.end(), e.begin() + 28));  // quotes the packet
}

TEST(Rfc7915Section4_1, GeneratedErrorsAreCappedAt576Bytes) {
  V4 h;
  h.ttl = 1;
  auto r = translate(jool_like_config(), udp4(h, 1, 2, pattern(1400)));
  ASSERT_EQ(r.pkts.size(), 1u);
  EXPECT_EQ(r.pkts[0].size(), 576u);
  EXPECT_EQ(be16(r.pkts[0], 2), 576);
  EXPECT_TRUE(l4_checksum_ok(r.pkts[0]));
}

TEST(Rfc7915Section4_1, NoErrorInReplyToAnIcmpError) {
  V4 h;
  h.ttl = 1;
  V4 inner;
  inner.src = "192.0.2.33";
  inner.dst = "198.51.100.2";
  auto in = icmp4(h, 3, 3, 0, udp4(inner, 1, 2, pattern(8)));
  auto r = translate(jool_like_config(), in);
  EXPECT_EQ(r.verdict, Verdict::Drop);
  EXPECT_EQ(r.reason, DropReason::Ipv4TtlExpired);
  EXPECT_TRUE(r.pkts.empty());
}

TEST(Rfc7915Section4_1, UnexpiredSourceRouteIsRefusedWithCode5) {
  V4 h;
  h.options = {131, 7, 4, 192, 0, 2, 99, 0};  // LSRR, pointer 4: one hop left; EOL pad
  auto r = translate(jool_like_config(), udp4(h, 1, 2, pattern(8)));
  ASSERT_EQ(r.verdict, Verdict::Reply);
  EXPECT_EQ(r.reason, DropReason::Ipv4SourceRoute);
  EXPECT_EQ(r.pkts[0][20], 3);
  EXPECT_EQ(r.pkts[0][21], 5);
}

TEST(Rfc7915Section4_1, OtherOptionsAreIgnored) {
  V4 h;
  h.options = {7, 7, 4, 0, 0, 0, 0, 0};  // Record Route
  auto in = udp4(h, 1, 2, pattern(8));
  auto r = translate(jool_like_config(), in);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(r.pkts[0].size(), 40u + 16u);
  EXPECT_TRUE(l4_checksum_ok(r.pkts[0]));
}

TEST(Rfc7915Section4_1, DfSetAndTooBigAnswersFragmentationNeeded) {
  auto cfg = jool_like_config();
  cfg.mtu6 = 1400;
  V4 h;  // DF set
  auto r = translate(cfg, udp4(h, 1, 2, pattern(1400 - 40 - 8 + 1)));
  ASSERT_EQ(r.verdict, Verdict::Reply);
  EXPECT_EQ(r.reason, DropReason::Ipv4FragNeeded);
  const Bytes& e = r.pkts[0];
  EXPECT_EQ(e[20], 3);
  EXPECT_EQ(e[21], 4);
  EXPECT_EQ(be16(e, 26), 1380);  // the IPv6 MTU less the 20 bytes the header grows
  // Exactly the MTU passes.
  EXPECT_EQ(translate(cfg, udp4(h, 1, 2, pattern(1400 - 48))).verdict, Verdict::Forward);
}

TEST(Rfc7915Section4_1, DfClearAndTooBigIsCutIntoIpv6Fragments) {
  auto cfg = jool_like_config();
  cfg.lowest_ipv6_mtu = 1280;
  V4 h;
  h.df = false;
  h.id = 0xabcd;
  auto in = udp4(h, 1, 2, pattern(3000));
  auto r = translate(cfg, in);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  ASSERT_EQ(r.pkts.size(), 3u);
  Bytes joined;
  uint32_t expect_offset = 0;
  for (size_t i = 0; i < r.pkts.size(); ++i) {
    const Bytes& f = r.pkts[i];
    EXPECT_LE(f.size(), 1280u);
    EXPECT_EQ(f[6], 44);                       // Fragment Header
    EXPECT_EQ(f[40], 17);                      // then UDP
    EXPECT_EQ(be16(f, 42) & 0xfff8, expect_offset);
    EXPECT_EQ(be16(f, 42) & 1, i + 1 < r.pkts.size() ? 1 : 0);  // M
    EXPECT_EQ(be32(f, 44), 0xabcdu);           // Identification zero-extended
    EXPECT_EQ(be16(f, 4), f.size() - 40);
    joined.insert(joined.end(), f.begin() + 48, f.end());
    expect_offset += static_cast<uint32_t>(f.size() - 48);
  }
  // Reassembled, it is the translated UDP datagram with a valid IPv6 checksum.
  Bytes whole = r.pkts[0];
  whole.resize(48);
  whole[6] = 17;
  whole.erase(whole.begin() + 40, whole.begin() + 48);
  whole.insert(whole.end(), joined.begin(), joined.end());
  whole[4] = static_cast<uint8_t>(joined.size() >> 8);
  whole[5] = static_cast<uint8_t>(joined.size());
  EXPECT_TRUE(l4_checksum_ok(whole));
  EXPECT_TRUE(std::equal(in.begin() + 28, in.end(), whole.begin() + 48));
}

TEST(Rfc7915Section4_1, AFragmentGetsAFragmentHeader) {
  V4 h;
  h.df = false;
  h.mf = true;
  h.id = 0x5678;
  auto r = translate(jool_like_config(), udp4(h, 1, 2, pattern(64)));
  ASSERT_EQ(r.verdict, Verdict::Forward);
  const Bytes& o = r.pkts[0];
  EXPECT_EQ(o[6], 44);
  EXPECT_EQ(o[40], 17);
  EXPECT_EQ(be16(o, 42), 1);  // offset 0, M
  EXPECT_EQ(be32(o, 44), 0x5678u);
}

// A fragment too big for the IPv6 path is cut again: the pieces keep the original's place
// in the datagram, and all of them, the last too, carry M when the original had MF
// (RFC 7915 §4.1, RFC 8200 §4.5). Issue 15: both rules were broken without a test failing.
TEST(Rfc7915Section4_1, AFragmentCutAgainKeepsItsOffsetAndMoreFragments) {
  auto cfg = jool_like_config();
  cfg.lowest_ipv6_mtu = 1280;
  V4 h;
  h.df = false;
  h.mf = true;
  h.id = 0x1357;
  h.frag_offset = 1480;
  auto in = ipv4(h, 17, pattern(1480));
  auto r = translate(cfg, in);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  ASSERT_EQ(r.pkts.size(), 2u);
  EXPECT_EQ(be16(r.pkts[0], 42), 1480 | 1);         // offset 1480, M
  EXPECT_EQ(r.pkts[0].size(), 48u + 1232u);
  EXPECT_EQ(be16(r.pkts[1], 42), (1480 + 1232) | 1);  // offset 2712, M still
  EXPECT_EQ(be32(r.pkts[1], 44), 0x1357u);
  Bytes joined(r.pkts[0].begin() + 48, r.pkts[0].end());
  joined.insert(joined.end(), r.pkts[1].begin() + 48, r.pkts[1].end());
  EXPECT_TRUE(std::equal(in.begin() + 20, in.end(), joined.begin(), joined.end()));
}

// RFC 7915 §4.2: the ICMPv6 checksum covers the whole message and a pseudo-header, so a
// fragment of an ICMPv4 message cannot be translated: it is dropped and counted.
TEST(Rfc7915Section4_2, AFragmentedIcmpMessageIsDropped) {
  V4 h;
  h.df = false;
  h.mf = true;
  auto r = translate(jool_like_config(), icmp4(h, 8, 0, 0x00010001, pattern(64)));
  EXPECT_EQ(r.verdict, Verdict::Drop);
  EXPECT_EQ(r.reason, DropReason::IcmpFragmented);
  EXPECT_TRUE(r.pkts.empty());
}

TEST(Rfc7915Section4_1, NonFirstFragmentPayloadIsUntouched) {
  V4 h;
  h.df = false;
  h.frag_offset = 1480;
  auto in = ipv4(h, 17, pattern(200));
  auto r = translate(jool_like_config(), in);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(be16(r.pkts[0], 42), 1480);
  EXPECT_TRUE(std::equal(in.begin() + 20, in.end(), r.pkts[0].begin() + 48));
}

TEST(Rfc8021, NoAtomicFragmentsForSmallDfClearPackets) {
  V4 h;
  h.df = false;
  auto r = translate(jool_like_config(), udp4(h, 1, 2, pattern(100)));
  EXPECT_EQ(r.pkts[0][6], 17);
  EXPECT_EQ(r.pkts[0].size(), 148u);
}

TEST(Rfc7915Section4_2, EchoRequestBecomesType128WithAValidChecksum) {
  V4 h;
  auto r = translate(jool_like_config(), icmp4(h, 8, 0, 0x12340001, pattern(56)));
  ASSERT_EQ(r.verdict, Verdict::Forward);
  const Bytes& o = r.pkts[0];
  EXPECT_EQ(o[6], 58);
  EXPECT_EQ(o[40], 128);
  EXPECT_EQ(be32(o, 44), 0x12340001u);
  EXPECT_TRUE(l4_checksum_ok(o));
  auto reply = translate(jool_like_config(), icmp4(h, 0, 0, 0x12340001, pattern(56)));
  EXPECT_EQ(reply.pkts[0][40], 129);
  EXPECT_TRUE(l4_checksum_ok(reply.pkts[0]));
}

TEST(Rfc7915Section4_2, InformationalMessagesWithoutEquivalentAreDropped) {
  for (uint8_t type : {13, 14, 15, 16, 17, 18, 9, 10, 4, 5, 6, 42}) {
    V4 h;
    auto r = translate(jool_like_config(), icmp4(h, type, 0, 0, pattern(12)));
    EXPECT_EQ(r.verdict, Verdict::Drop) << int(type);
    EXPECT_EQ(r.reason, DropReason::Icmp4Untranslatable) << int(type);
  }
}

struct ErrorCase {
  uint8_t type, code;
  uint32_t rest;
  int type6, code6;  // -1: dropped
  uint32_t rest6;
};

class Rfc7915Section4_2Errors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(Rfc7915Section4_2Errors, TypeCodeAndPointerMapping) {
  const ErrorCase& c = GetParam();
  V4 outer;
  V4 inner;  // the packet the IPv6 host sent earlier, seen on the IPv4 side
  inner.src = "192.0.2.33";
  inner.dst = "198.51.100.2";
  auto quoted = udp4(inner, 4000, 53, pattern(40));
  auto r = translate(jool_like_config(), icmp4(outer, c.type, c.code, c.rest, quoted));
  if (c.type6 < 0) {
    EXPECT_EQ(r.verdict, Verdict::Drop);
    EXPECT_EQ(r.reason, DropReason::Icmp4Untranslatable);
    return;
  }
  ASSERT_EQ(r.verdict, Verdict::Forward);
  const Bytes& o = r.pkts[0];
  EXPECT_EQ(o[40], c.type6);
  EXPECT_EQ(o[41], c.code6);
  EXPECT_EQ(be32(o, 44), c.rest6);
  EXPECT_TRUE(l4_checksum_ok(o));
  // RFC 7915 §4.3: the inner packet is translated too.
  EXPECT_EQ(o[48] >> 4, 6);
  EXPECT_EQ(addr_at(o, 48 + 8, true), kDst6);
  EXPECT_EQ(addr_at(o, 48 + 24, true), kSrc6);
}

INSTANTIATE_TEST_SUITE_P(
    Table, Rfc7915Section4_2Errors,
    ::testing::Values(
        ErrorCase{3, 0, 0, 1, 0, 0}, ErrorCase{3, 1, 0, 1, 0, 0}, ErrorCase{3, 2, 0, 4, 1, 6},
        ErrorCase{3, 3, 0, 1, 4, 0}, ErrorCase{3, 5, 0, 1, 0, 0}, ErrorCase{3, 6, 0, 1, 0, 0},
        ErrorCase{3, 7, 0, 1, 0, 0}, ErrorCase{3, 8, 0, 1, 0, 0}, ErrorCase{3, 9, 0, 1, 1, 0},
        ErrorCase{3, 10, 0, 1, 1, 0}, ErrorCase{3, 11, 0, 1, 0, 0}, ErrorCase{3, 12, 0, 1, 0, 0},
        ErrorCase{3, 13, 0, 1, 1, 0}, ErrorCase{3, 14, 0, -1, -1, 0}, ErrorCase{3, 15, 0, 1, 1, 0},
        ErrorCase{3, 16, 0, -1, -1, 0}, ErrorCase{11, 0, 0, 3, 0, 0}, ErrorCase{11, 1, 0, 3, 1, 0},
        ErrorCase{12, 0, 0x09000000, 4, 0, 6}, ErrorCase{12, 0, 0x08000000, 4, 0, 7},
        ErrorCase{12, 0, 0x0d000000, 4, 0, 8}, ErrorCase{12, 0, 0x12000000, 4, 0, 24},
        ErrorCase{12, 2, 0x02000000, 4, 0, 4}, ErrorCase{12, 0, 0x0a000000, -1, -1, 0},
        ErrorCase{12, 1, 0, -1, -1, 0}, ErrorCase{4, 0, 0, -1, -1, 0}, ErrorCase{5, 1, 0, -1, -1, 0}));

uint32_t ptb_mtu(uint16_t reported, uint16_t inner_total_len, uint32_t mtu6, uint32_t mtu4) {
  auto cfg = jool_like_config();
  cfg.mtu6 = mtu6;
  cfg.mtu4 = mtu4;
  V4 outer;
  V4 inner;
  inner.src = "192.0.2.33";
  inner.dst = "198.51.100.2";
  inner.total_length_override = static_cast<int16_t>(inner_total_len);
  auto r = translate(cfg, icmp4(outer, 3, 4, reported, udp4(inner, 1, 2, pattern(40))));
  EXPECT_EQ(r.verdict, Verdict::Forward);
  if (r.pkts.empty()) return 0;
  EXPECT_EQ(r.pkts[0][40], 2);
  return be32(r.pkts[0], 44);
}

TEST(Rfc7915Section4_2, PacketTooBigMtuArithmetic) {
  // minimum(advertised MTU + 20, MTU of IPv6 next hop, MTU of IPv4 next hop + 20)
  EXPECT_EQ(ptb_mtu(1400, 1500, 1500, 1500), 1420u);
  EXPECT_EQ(ptb_mtu(1492, 1500, 1500, 1500), 1500u);
  EXPECT_EQ(ptb_mtu(1400, 1500, 1500, 1300), 1320u);
  // Never below the IPv6 minimum MTU.
  EXPECT_EQ(ptb_mtu(576, 1500, 1500, 1500), 1280u);
  // MTU 0: the RFC 1191 plateau below the quoted packet's length.
  EXPECT_EQ(ptb_mtu(0, 1500, 9000, 9000), 1492u + 20u);
  EXPECT_EQ(ptb_mtu(0, 4000, 9000, 9000), 2002u + 20u);
  EXPECT_EQ(ptb_mtu(0, 1000, 9000, 9000), 1280u);
}

TEST(Rfc7915Section4_3, InnerTtlIsNotDecrementedAndErrorsInErrorsAreDropped) {
  V4 outer;
  V4 inner;
  inner.src = "192.0.2.33";
  inner.dst = "198.51.100.2";
  inner.ttl = 1;
  auto r = translate(jool_like_config(), icmp4(outer, 11, 0, 0, udp4(inner, 1, 2, pattern(8))));
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(r.pkts[0][7], 63);       // the error itself is forwarded: TTL 64, Hop Limit 63
  EXPECT_EQ(r.pkts[0][48 + 7], 1);   // the packet inside keeps its own
  EXPECT_TRUE(l4_checksum_ok(r.pkts[0]));
  // The UDP datagram inside was whole: its checksum verifies over its new IPv6 addresses.
  const Bytes inside(r.pkts[0].begin() + 48, r.pkts[0].end());
  EXPECT_EQ(be16(inside, 4), 16u);
  EXPECT_TRUE(l4_checksum_ok(inside));

  auto nested = icmp4(inner, 3, 1, 0, udp4(outer, 1, 2, pattern(8)));
  auto r2 = translate(jool_like_config(), icmp4(outer, 3, 1, 0, nested));
  EXPECT_EQ(r2.verdict, Verdict::Drop);
  EXPECT_EQ(r2.reason, DropReason::IcmpErrorInError);
}

TEST(Rfc7915Section4_3, TranslatedErrorsAreCappedAt1280Bytes) {
  V4 outer;
  outer.df = false;
  V4 inner;
  inner.src = "192.0.2.33";
  inner.dst = "198.51.100.2";
  auto r = translate(jool_like_config(), icmp4(outer, 3, 1, 0, udp4(inner, 1, 2, pattern(1400))));
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(r.pkts[0].size(), 1280u);
  EXPECT_TRUE(l4_checksum_ok(r.pkts[0]));
  EXPECT_EQ(be16(r.pkts[0], 48 + 4), 1400 + 8);  // inner Payload Length: the original's
}

TEST(Rfc7915Section4_3, ErrorWithABadChecksumIsDropped) {
  V4 outer;
  V4 inner;
  inner.src = "192.0.2.33";
  inner.dst = "198.51.100.2";
  auto in = icmp4(outer, 3, 1, 0, udp4(inner, 1, 2, pattern(20)));
  in[22] ^= 0x01;
  EXPECT_EQ(translate(jool_like_config(), in).reason, DropReason::IcmpErrorBadChecksum);
}

TEST(Rfc6791, ErrorFromAnUnmappableRouterUsesTheConfiguredSource) {
  auto cfg = jool_like_config();
  cfg.prefix.reset();  // EAM only: 198.51.100.9 has no mapping
  cfg.eam = xlat::EamTable({{*xlat::parse_ipv4_prefix("192.0.2.0/24"),
                             *xlat::parse_ipv6_prefix("2001:db8:1c0:2::/120")},
                            {*xlat::parse_ipv4_prefix("203.0.113.0/24"),
                             *xlat::parse_ipv6_prefix("2001:db8:cb::/120")}});
  V4 outer;
  outer.src = "198.51.100.9";
  V4 inner;
  inner.src = "192.0.2.33";
  inner.dst = "203.0.113.5";
  auto in = icmp4(outer, 11, 0, 0, udp4(inner, 1, 2, pattern(8)));
  auto r = translate(cfg, in);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(addr_at(r.pkts[0], 8, true), "2001:db8:1c0:2:1::");  // own address
  cfg.rfc6791_v6 = xlat::parse_ipv6("2001:db8:ffff::1");
  r = translate(cfg, in);
  EXPECT_EQ(addr_at(r.pkts[0], 8, true), "2001:db8:ffff::1");
  // A non-error from the same source is refused with code 10.
  auto plain = translate(cfg, udp4(outer, 1, 2, pattern(8)));
  EXPECT_EQ(plain.reason, DropReason::Ipv4SourceUnmapped);
}

TEST(Rfc7915Section4_5, UdpZeroChecksumModes) {
  V4 h;
  auto in = udp4(h, 1, 2, pattern(30));
  in[26] = in[27] = 0;
  auto cfg = jool_like_config();

  // TAYGA's drop: silent, counted.
  cfg.udp_zero_checksum = xlat::UdpZeroChecksum::Drop;
  auto r = translate(cfg, in);
  EXPECT_EQ(r.reason, DropReason::Ipv4UdpZeroChecksum);
  EXPECT_EQ(r.verdict, Verdict::Drop);
  EXPECT_TRUE(r.pkts.empty());

  // Jool's: answered with administratively prohibited.
  cfg.udp_zero_checksum = xlat::UdpZeroChecksum::Reject;
  r = translate(cfg, in);
  EXPECT_EQ(r.reason, DropReason::Ipv4UdpZeroChecksum);
  ASSERT_EQ(r.verdict, Verdict::Reply);
  EXPECT_EQ(r.pkts[0][20], 3);
  EXPECT_EQ(r.pkts[0][21], 13);

  cfg.udp_zero_checksum = xlat::UdpZeroChecksum::Forward;
  r = translate(cfg, in);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(be16(r.pkts[0], 46), 0);

  cfg.udp_zero_checksum = xlat::UdpZeroChecksum::Calculate;
  r = translate(cfg, in);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_NE(be16(r.pkts[0], 46), 0);
  EXPECT_TRUE(l4_checksum_ok(r.pkts[0]));

  // Fragmented: the checksum cannot be computed, so the packet goes whatever the mode
  // (answered in calc mode, silent in drop mode).
  h.df = false;
  h.mf = true;
  auto frag = udp4(h, 1, 2, pattern(30));
  frag[26] = frag[27] = 0;
  r = translate(cfg, frag);
  EXPECT_EQ(r.reason, DropReason::Ipv4UdpZeroChecksumFragment);
  EXPECT_EQ(r.verdict, Verdict::Reply);
  cfg.udp_zero_checksum = xlat::UdpZeroChecksum::Drop;
  r = translate(cfg, frag);
  EXPECT_EQ(r.reason, DropReason::Ipv4UdpZeroChecksumFragment);
  EXPECT_EQ(r.verdict, Verdict::Drop);
}

// TAYGA's suite ("NH v6-only ..."): these Protocol values are IPv6 headers, never IPv4
// payloads; copied they would make the IPv6 packet parse as a header that is not there.
TEST(Rfc7915Section4_1, Ipv6OnlyProtocolsAreDropped) {
  V4 h;
  for (uint8_t p : {0, 43, 44, 58, 60}) {
    auto r = translate(jool_like_config(), ipv4(h, p, pattern(16)));
    EXPECT_EQ(r.reason, DropReason::Ipv4ProtocolIpv6Only) << int(p);
    EXPECT_EQ(r.verdict, Verdict::Drop) << int(p);
  }
  EXPECT_EQ(translate(jool_like_config(), ipv4(h, 16, pattern(16))).verdict, Verdict::Forward);
}

TEST(Rfc7915Section4_5, BadTransportChecksumsComeOutEquallyBad) {
  V4 h;
  for (bool tcp : {false, true}) {
    auto in = tcp ? tcp4(h, 1, 2, pattern(64)) : udp4(h, 1, 2, pattern(64));
    size_t csum = 20 + (tcp ? 16 : 6);
    in[csum + 1] ^= 0x5a;  // corrupt
    auto r = translate(jool_like_config(), in);
    ASSERT_EQ(r.verdict, Verdict::Forward);
    EXPECT_FALSE(l4_checksum_ok(r.pkts[0]));
    EXPECT_EQ(l4_checksum_residual(r.pkts[0]), l4_checksum_residual(in)) << (tcp ? "tcp" : "udp");
  }
}

TEST(Rfc7915Section4_5, ChecksumNeutralMappingLeavesTheChecksumAlone) {
  // An EAM pair whose IPv6 addresses sum to the same 16-bit value as the IPv4 ones.
  auto cfg = jool_like_config();
  cfg.prefix.reset();
  xlat::Ipv6Addr a = *xlat::parse_ipv6("2001:db8::");
  // 2001 + 0db8 + x ≡ c000 + 0221 (mod 0xffff)  →  x = c221 - 2db9
  uint32_t x = (0xc000u + 0x0221u) + 0xffffu - (0x2001u + 0x0db8u);
  x = (x & 0xffff) + (x >> 16);
  a.b[14] = static_cast<uint8_t>(x >> 8);
  a.b[15] = static_cast<uint8_t>(x);
  xlat::Ipv6Addr b = *xlat::parse_ipv6("2001:db8::1");
  uint32_t y = (0xc633u + 0x6402u) + 0xffffu - (0x2001u + 0x0db8u);
  y = (y & 0xffff) + (y >> 16);
  y = (y & 0xffff) + (y >> 16);
  b.b[14] = static_cast<uint8_t>(y >> 8);
  b.b[15] = static_cast<uint8_t>(y);
  cfg.eam = xlat::EamTable({{{*xlat::parse_ipv4("192.0.2.33"), 32}, {a, 128}},
                            {{*xlat::parse_ipv4("198.51.100.2"), 32}, {b, 128}}});
  V4 h;
  auto in = tcp4(h, 1, 2, pattern(64));
  auto r = translate(cfg, in);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(be16(r.pkts[0], 56), be16(in, 36));
  EXPECT_TRUE(l4_checksum_ok(r.pkts[0]));
}

TEST(Rfc7915Section4_5, UnknownTransportIsForwardedUnchanged) {
  V4 h;
  auto in = ipv4(h, 253, pattern(77));
  auto r = translate(jool_like_config(), in);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(r.pkts[0][6], 253);
  EXPECT_TRUE(std::equal(in.begin() + 20, in.end(), r.pkts[0].begin() + 40));
}

TEST(Rfc7915Section4_1, ReservedSourceIsDroppedSilentlyAndCounted) {
  auto cfg = jool_like_config();
  std::vector<uint8_t> scratch(xlat::kScratchSize);
  xlat::Translator t(cfg);
  xlat::Output out(scratch);
  V4 h;
  h.src = "127.0.0.1";
  auto in = udp4(h, 1, 2, pattern(8));
  t.translate({in.data(), static_cast<uint32_t>(in.size()), 0}, out);
  EXPECT_EQ(out.verdict, Verdict::Drop);
  EXPECT_EQ(out.count, 0u);
  EXPECT_EQ(t.counters().drops[static_cast<unsigned>(DropReason::Ipv4ReservedSource)], 1u);
}

TEST(Rfc7915Section4_1, MalformedHeadersAreCountedDrops) {
  V4 h;
  auto good = udp4(h, 1, 2, pattern(8));
  auto bad_sum = good;
  bad_sum[10] ^= 1;
  EXPECT_EQ(translate(jool_like_config(), bad_sum).reason, DropReason::Ipv4BadHeaderChecksum);
  Bytes cut(good.begin(), good.begin() + 19);
  EXPECT_EQ(translate(jool_like_config(), cut).reason, DropReason::Ipv4Truncated);
  h.total_length_override = 200;
  EXPECT_EQ(translate(jool_like_config(), udp4(h, 1, 2, pattern(8))).reason,
            DropReason::Ipv4BadTotalLength);
}

TEST(Rfc7915Section4_1, UnmappableDestinationAnswersHostUnreachable) {
  auto cfg = jool_like_config();
  cfg.prefix.reset();
  V4 h;
  h.src = "1.0.0.5";  // EAM
  auto r = translate(cfg, udp4(h, 1, 2, pattern(8)));
  ASSERT_EQ(r.verdict, Verdict::Reply);
  EXPECT_EQ(r.reason, DropReason::Ipv4DestUnmapped);
  EXPECT_EQ(r.pkts[0][20], 3);
  EXPECT_EQ(r.pkts[0][21], 1);
}

TEST(TranslatorSelf, EchoToTheOwnIpv4AddressIsAnswered) {
  V4 h;
  h.dst = "198.51.100.1";
  auto r = translate(jool_like_config(), icmp4(h, 8, 0, 0x00070001, pattern(32)));
  ASSERT_EQ(r.verdict, Verdict::Reply);
  const Bytes& o = r.pkts[0];
  EXPECT_EQ(addr_at(o, 12, false), "198.51.100.1");
  EXPECT_EQ(addr_at(o, 16, false), "198.51.100.2");
  EXPECT_EQ(o[20], 0);
  EXPECT_TRUE(ipv4_header_checksum_ok(o));
  EXPECT_TRUE(l4_checksum_ok(o));
}

TEST(Headroom, TranslatesThroughScratchWhenThereIsNoHeadroom) {
  V4 h;
  auto in = udp4(h, 1, 2, pattern(50));
  std::vector<uint8_t> scratch(xlat::kScratchSize);
  auto cfg = jool_like_config();
  xlat::Translator t(cfg);
  xlat::Output out(scratch);
  t.translate({in.data(), static_cast<uint32_t>(in.size()), 0}, out);
  ASSERT_EQ(out.verdict, Verdict::Forward);
  Bytes o(out.pkts[0].data, out.pkts[0].data + out.pkts[0].len);
  EXPECT_EQ(o.size(), 40u + 58u);
  EXPECT_TRUE(l4_checksum_ok(o));
}

}  // namespace

namespace {
TEST(TranslatorSelf, OtherProtocolsToTheOwnAddressGetProtocolUnreachable) {
  testpkt::V4 h;
  h.dst = "198.51.100.1";
  auto r = testpkt::translate(testpkt::jool_like_config(), testpkt::udp4(h, 1, 53, testpkt::pattern(8)));
  ASSERT_EQ(r.verdict, xlat::Verdict::Reply);
  EXPECT_EQ(r.reason, xlat::DropReason::ToSelf);
  EXPECT_EQ(r.pkts[0][20], 3);
  EXPECT_EQ(r.pkts[0][21], 2);
  auto ts = testpkt::translate(testpkt::jool_like_config(), testpkt::icmp4(h, 13, 0, 0, testpkt::pattern(12)));
  EXPECT_EQ(ts.verdict, xlat::Verdict::Drop);
  EXPECT_EQ(ts.reason, xlat::DropReason::ToSelf);
}
}  // namespace

namespace {
TEST(Rfc7915Section4_4, GeneratedErrorsAreRateLimited) {
  auto cfg = testpkt::jool_like_config();
  cfg.icmp_errors_per_second = 10;
  cfg.icmp_error_burst = 5;
  std::vector<uint8_t> scratch(xlat::kScratchSize);
  xlat::Translator t(cfg);
  xlat::Output out(scratch);
  testpkt::V4 h;
  h.ttl = 1;
  auto pkt = testpkt::udp4(h, 1, 2, testpkt::pattern(8));
  auto burst = [&](int n) {
    int replies = 0;
    for (int i = 0; i < n; ++i) {
      auto copy = pkt;
      t.translate({copy.data(), static_cast<uint32_t>(copy.size()), 0}, out);
      replies += out.verdict == xlat::Verdict::Reply;
      EXPECT_EQ(out.reason, xlat::DropReason::Ipv4TtlExpired);  // counted either way
    }
    return replies;
  };
  t.set_clock(1000);
  EXPECT_EQ(burst(8), 5);  // the bucket holds 5
  EXPECT_EQ(t.counters().icmp_errors_rate_limited, 3u);
  t.set_clock(1300);       // 0.3 s at 10/s: 3 tokens
  EXPECT_EQ(burst(8), 3);
  t.set_clock(10000);      // refills to the burst, not beyond
  EXPECT_EQ(burst(8), 5);
  EXPECT_EQ(t.counters().drops[static_cast<unsigned>(xlat::DropReason::Ipv4TtlExpired)], 24u);
  cfg.icmp_errors_per_second = 0;  // no limit
  xlat::Translator unlimited(cfg);
  int sent = 0;
  for (int i = 0; i < 500; ++i) {
    auto copy = pkt;
    unlimited.translate({copy.data(), static_cast<uint32_t>(copy.size()), 0}, out);
    sent += out.verdict == xlat::Verdict::Reply;
  }
  EXPECT_EQ(sent, 500);
}
}  // namespace
