// RFC 7915 §5: IPv6 → IPv4, section by section, on packets built field by field.
#include <gtest/gtest.h>

#include "fake_pool.hpp"
#include "packet_builder.hpp"

namespace {

using namespace testpkt;
using xlat::DropReason;
using xlat::Verdict;

Bytes routing_ext(uint8_t segments_left) {
  // Type 4 (SRH-like layout is irrelevant): length 2 (24 bytes), one address.
  Bytes b(23, 0);
  b[0] = 2;  // Hdr Ext Len
  b[1] = 4;  // Routing Type
  b[2] = segments_left;
  return b;
}

Bytes options_ext() { return Bytes{0, 1, 4, 0, 0, 0, 0}; }  // Hdr Ext Len 0, PadN

TEST(Rfc7915Section5_1, HeaderFieldsOfASmallUdpPacket) {
  V6 h;
  h.tc = 0x2e;
  h.hop_limit = 9;
  auto r = translate(jool_like_config(), udp6(h, 1000, 53, pattern(100)));
  ASSERT_EQ(r.verdict, Verdict::Forward);
  const Bytes& o = r.pkts[0];
  ASSERT_EQ(o.size(), 128u);
  EXPECT_EQ(o[0], 0x45);
  EXPECT_EQ(o[1], 0x2e);         // TOS = Traffic Class
  EXPECT_EQ(be16(o, 2), 128);    // Total Length
  EXPECT_EQ(be16(o, 4), 0x4000); // Identification from the generator (seeded 0x4000)
  EXPECT_EQ(be16(o, 6), 0);      // ≤ 1260 bytes: DF clear
  EXPECT_EQ(o[8], 8);            // TTL = Hop Limit - 1
  EXPECT_EQ(o[9], 17);
  EXPECT_EQ(addr_at(o, 12, false), "192.0.2.33");
  EXPECT_EQ(addr_at(o, 16, false), "198.51.100.2");
  EXPECT_TRUE(ipv4_header_checksum_ok(o));
  EXPECT_TRUE(l4_checksum_ok(o));
}

// Issue 15: a generator that never advanced passed every test (one ID was ever read).
TEST(Rfc7915Section5_1, TheIdentificationGeneratorAdvances) {
  const auto cfg = jool_like_config();  // the Translator keeps a reference to it
  xlat::Translator t(cfg, nullptr, 0x4000);
  V6 h;
  for (uint16_t want = 0x4000; want < 0x4004; ++want) {
    auto r = translate_with(t, udp6(h, 1000, 53, pattern(100)));
    ASSERT_EQ(r.verdict, Verdict::Forward);
    EXPECT_EQ(be16(r.pkts[0], 4), want);
  }
}

// Where DF is 0 the Identification is never 0 (TAYGA's suite, translate.py: "ID is
// pseudo-randomly generated, but must not be zero"): the generator steps over it.
TEST(Rfc7915Section5_1, TheIdentificationOfADfZeroPacketIsNeverZero) {
  const auto cfg = jool_like_config();
  xlat::Translator t(cfg, nullptr, 0xffff);
  V6 h;
  std::vector<uint16_t> ids;
  for (int i = 0; i < 3; ++i) {
    auto r = translate_with(t, udp6(h, 1000, 53, pattern(100)));
    ASSERT_EQ(r.verdict, Verdict::Forward);
    ids.push_back(be16(r.pkts[0], 4));
  }
  EXPECT_EQ(ids, (std::vector<uint16_t>{0xffff, 1, 2}));
}

// RFC 768: "If the computed checksum is zero, it is transmitted as all ones". Among all
// two-byte payloads, the ones whose translated checksum comes out as zero carry 0xffff.
TEST(Rfc7915Section5_5, AComputedUdpChecksumOfZeroIsSentAsAllOnes) {
  V6 h;
  unsigned all_ones = 0;
  for (uint32_t x = 0; x < 0x10000; ++x) {
    auto r = translate(jool_like_config(), udp6(h, 1000, 53, Bytes{static_cast<uint8_t>(x >> 8), static_cast<uint8_t>(x)}));
    ASSERT_EQ(r.verdict, Verdict::Forward);
    const uint16_t c = be16(r.pkts[0], 20 + 6);
    ASSERT_NE(c, 0) << "payload " << x;
    all_ones += c == 0xffff;
  }
  EXPECT_GE(all_ones, 1u);  // the case does occur, and came out as all ones
}

TEST(Rfc7915Section5_1, DfIsSetAbove1260Bytes) {
  V6 h;
  auto at = translate(jool_like_config(), udp6(h, 1, 2, pattern(1260 - 28)));
  EXPECT_EQ(be16(at.pkts[0], 2), 1260);
  EXPECT_EQ(be16(at.pkts[0], 6), 0);
  auto above = translate(jool_like_config(), udp6(h, 1, 2, pattern(1261 - 28)));
  EXPECT_EQ(be16(above.pkts[0], 2), 1261);
  EXPECT_EQ(be16(above.pkts[0], 6), 0x4000);
}

TEST(Rfc7915Section5_1, HopByHopDestinationAndRoutingHeadersAreSkipped) {
  V6 h;
  h.ext = {{0, options_ext()}, {60, options_ext()}, {43, routing_ext(0)}};
  auto in = tcp6(h, 1, 2, pattern(40));
  auto r = translate(jool_like_config(), in);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  const Bytes& o = r.pkts[0];
  EXPECT_EQ(o[9], 6);
  EXPECT_EQ(be16(o, 2), 20 + 60);
  EXPECT_TRUE(l4_checksum_ok(o));
}

TEST(Rfc7915Section5_1, SegmentsLeftAnswersParameterProblemPointingAtIt) {
  V6 h;
  h.ext = {{60, options_ext()}, {43, routing_ext(1)}};
  auto in = udp6(h, 1, 2, pattern(8));
  auto r = translate(jool_like_config(), in);
  ASSERT_EQ(r.verdict, Verdict::Reply);
  EXPECT_EQ(r.reason, DropReason::Ipv6SegmentsLeft);
  const Bytes& e = r.pkts[0];
  EXPECT_EQ(e[6], 58);
  EXPECT_EQ(e[40], 4);
  EXPECT_EQ(e[41], 0);
  EXPECT_EQ(be32(e, 44), 40u + 8u + 3u);  // Segments Left of the second header
  EXPECT_EQ(addr_at(e, 8, true), "2001:db8:1c0:2:1::");
  EXPECT_EQ(addr_at(e, 24, true), "2001:db8:1c0:2:21::");
  EXPECT_TRUE(l4_checksum_ok(e));
  EXPECT_TRUE(std::equal(in.begin(), in.end(), e.begin() + 48));
}

TEST(Rfc7915Section5_1, HopLimitOneAnswersTimeExceeded) {
  V6 h;
  h.hop_limit = 1;
  auto r = translate(jool_like_config(), udp6(h, 1, 2, pattern(8)));
  ASSERT_EQ(r.verdict, Verdict::Reply);
  EXPECT_EQ(r.pkts[0][40], 3);
  EXPECT_EQ(r.pkts[0][41], 0);
  EXPECT_EQ(r.pkts[0][7], 64);
  EXPECT_TRUE(l4_checksum_ok(r.pkts[0]));
}

TEST(Rfc7915Section5_1, TooBigForTheIpv4MtuAnswersPacketTooBig) {
  auto cfg = jool_like_config();
  cfg.mtu4 = 1400;
  V6 h;
  auto r = translate(cfg, udp6(h, 1, 2, pattern(1400 - 28 + 1)));
  ASSERT_EQ(r.verdict, Verdict::Reply);
  EXPECT_EQ(r.reason, DropReason::Ipv6TooBig);
  EXPECT_EQ(r.pkts[0][40], 2);
  EXPECT_EQ(be32(r.pkts[0], 44), 1420u);
  EXPECT_EQ(r.pkts[0].size(), 1280u);  // quote cut to the IPv6 minimum MTU
  cfg.mtu4 = 1000;
  r = translate(cfg, udp6(h, 1, 2, pattern(1001)));
  EXPECT_EQ(be32(r.pkts[0], 44), 1280u);  // never below 1280
}

TEST(Rfc7915Section5_1_1, FragmentHeaderFields) {
  V6 h;
  h.ext = {{44, fragment_ext(0, true, 0xdead1234)}};
  auto r = translate(jool_like_config(), udp6(h, 1, 2, pattern(64)));
  ASSERT_EQ(r.verdict, Verdict::Forward);
  const Bytes& o = r.pkts[0];
  EXPECT_EQ(be16(o, 4), 0x1234);      // low 16 bits of the Identification
  EXPECT_EQ(be16(o, 6), 0x2000);      // MF, DF clear, offset 0
  EXPECT_EQ(o[9], 17);
  EXPECT_EQ(be16(o, 2), 20 + 72);

  V6 later;
  later.ext = {{44, fragment_ext(1232, false, 7)}};
  auto in = ipv6(later, 17, pattern(100));
  auto r2 = translate(jool_like_config(), in);
  ASSERT_EQ(r2.verdict, Verdict::Forward);
  EXPECT_EQ(be16(r2.pkts[0], 6), 1232 / 8);
  EXPECT_TRUE(std::equal(in.begin() + 48, in.end(), r2.pkts[0].begin() + 20));
}

TEST(Rfc7915Section5_1_1, ExtensionHeaderAfterTheFragmentHeaderIsRefused) {
  V6 h;
  h.ext = {{44, fragment_ext(0, true, 1)}, {60, options_ext()}};
  auto r = translate(jool_like_config(), udp6(h, 1, 2, pattern(16)));
  ASSERT_EQ(r.verdict, Verdict::Reply);
  EXPECT_EQ(r.reason, DropReason::Ipv6ExtAfterFragment);
  EXPECT_EQ(r.pkts[0][40], 1);
  EXPECT_EQ(r.pkts[0][41], 1);
}

TEST(Rfc7915Section5_1, NoNextHeaderAndUnknownTransportsAreForwarded) {
  V6 h;
  auto r = translate(jool_like_config(), ipv6(h, 59, {}));
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(r.pkts[0].size(), 20u);
  EXPECT_EQ(r.pkts[0][9], 59);
  auto in = ipv6(h, 132, pattern(33));  // SCTP: its CRC32c needs no change
  r = translate(jool_like_config(), in);
  EXPECT_EQ(r.pkts[0][9], 132);
  EXPECT_TRUE(std::equal(in.begin() + 40, in.end(), r.pkts[0].begin() + 20));
}

TEST(Rfc7915Section5_2, EchoBecomesType8WithAValidChecksum) {
  V6 h;
  auto r = translate(jool_like_config(), icmp6(h, 128, 0, 0x00110002, pattern(56)));
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(r.pkts[0][9], 1);
  EXPECT_EQ(r.pkts[0][20], 8);
  EXPECT_TRUE(l4_checksum_ok(r.pkts[0]));
  r = translate(jool_like_config(), icmp6(h, 129, 0, 0x00110002, pattern(56)));
  EXPECT_EQ(r.pkts[0][20], 0);
  EXPECT_TRUE(l4_checksum_ok(r.pkts[0]));
}

// RFC 7915 §5.2: the ICMPv6 checksum covers the whole message, so a fragment of one
// cannot be translated: it is dropped and counted.
TEST(Rfc7915Section5_2, AFragmentedIcmpv6MessageIsDropped) {
  V6 h;
  h.ext = {{44, fragment_ext(0, true, 9)}};
  auto r = translate(jool_like_config(), icmp6(h, 128, 0, 0x00110002, pattern(56)));
  EXPECT_EQ(r.verdict, Verdict::Drop);
  EXPECT_EQ(r.reason, DropReason::IcmpFragmented);
  EXPECT_TRUE(r.pkts.empty());
}

TEST(Rfc7915Section5_2, NeighborDiscoveryMldAndUnknownInformationalAreDropped) {
  for (uint8_t type : {130, 131, 132, 133, 134, 135, 136, 137, 143, 200}) {
    V6 h;
    auto r = translate(jool_like_config(), icmp6(h, type, 0, 0, pattern(16)));
    EXPECT_EQ(r.verdict, Verdict::Drop) << int(type);
    EXPECT_EQ(r.reason, DropReason::Icmp6Untranslatable) << int(type);
  }
}

struct ErrorCase {
  uint8_t type, code;
  uint32_t rest;
  int type4, code4;
  uint32_t rest4;
};

class Rfc7915Section5_2Errors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(Rfc7915Section5_2Errors, TypeCodeAndPointerMapping) {
  const ErrorCase& c = GetParam();
  V6 outer;
  V6 inner;
  inner.src = outer.dst;
  inner.dst = outer.src;
  auto r = translate(jool_like_config(),
                     icmp6(outer, c.type, c.code, c.rest, udp6(inner, 53, 4000, pattern(40))));
  if (c.type4 < 0) {
    EXPECT_EQ(r.verdict, Verdict::Drop);
    EXPECT_EQ(r.reason, DropReason::Icmp6Untranslatable);
    return;
  }
  ASSERT_EQ(r.verdict, Verdict::Forward);
  const Bytes& o = r.pkts[0];
  EXPECT_EQ(o[20], c.type4);
  EXPECT_EQ(o[21], c.code4);
  EXPECT_EQ(be32(o, 24), c.rest4);
  EXPECT_TRUE(ipv4_header_checksum_ok(o));
  EXPECT_TRUE(l4_checksum_ok(o));
  // RFC 7915 §5.3: the inner packet is an IPv4 packet now, TTL unchanged.
  EXPECT_EQ(o[28], 0x45);
  EXPECT_EQ(o[28 + 8], 64);
  EXPECT_EQ(addr_at(o, 28 + 12, false), "198.51.100.2");
  EXPECT_EQ(addr_at(o, 28 + 16, false), "192.0.2.33");
  Bytes inner4(o.begin() + 28, o.end());
  EXPECT_TRUE(ipv4_header_checksum_ok(inner4));
  EXPECT_TRUE(l4_checksum_ok(inner4));
}

INSTANTIATE_TEST_SUITE_P(
    Table, Rfc7915Section5_2Errors,
    ::testing::Values(
        ErrorCase{1, 0, 0, 3, 1, 0}, ErrorCase{1, 1, 0, 3, 10, 0}, ErrorCase{1, 2, 0, 3, 1, 0},
        ErrorCase{1, 3, 0, 3, 1, 0}, ErrorCase{1, 4, 0, 3, 3, 0}, ErrorCase{1, 5, 0, -1, -1, 0},
        ErrorCase{2, 0, 1400, 3, 4, 1380}, ErrorCase{2, 0, 9000, 3, 4, 1480},
        ErrorCase{3, 0, 0, 11, 0, 0}, ErrorCase{3, 1, 0, 11, 1, 0},
        ErrorCase{4, 0, 6, 12, 0, 0x09000000}, ErrorCase{4, 0, 7, 12, 0, 0x08000000},
        ErrorCase{4, 0, 4, 12, 0, 0x02000000}, ErrorCase{4, 0, 30, 12, 0, 0x10000000},
        ErrorCase{4, 0, 2, -1, -1, 0}, ErrorCase{4, 1, 0, 3, 2, 0}, ErrorCase{4, 2, 0, -1, -1, 0},
        ErrorCase{100, 0, 0, -1, -1, 0}));

TEST(Rfc7915Section5_3, ErrorInsideAnErrorIsDropped) {
  V6 outer;
  V6 inner;
  inner.src = outer.dst;
  inner.dst = outer.src;
  auto nested = icmp6(inner, 1, 0, 0, udp6(outer, 1, 2, pattern(8)));
  auto r = translate(jool_like_config(), icmp6(outer, 1, 4, 0, nested));
  EXPECT_EQ(r.reason, DropReason::IcmpErrorInError);
}

// The error is itself forwarded: its TTL is the outer Hop Limit minus one, while the
// packet inside keeps its own (RFC 7915 §5.1, §5.3). Issue 15: a TTL left undecremented
// passed every test.
TEST(Rfc7915Section5_3, OuterTtlIsDecrementedInnerIsKept) {
  V6 outer;
  outer.hop_limit = 40;
  V6 inner;
  inner.src = outer.dst;
  inner.dst = outer.src;
  inner.hop_limit = 7;
  auto r = translate(jool_like_config(), icmp6(outer, 1, 4, 0, udp6(inner, 1, 2, pattern(16))));
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(r.pkts[0][8], 39);            // outer TTL
  EXPECT_EQ(r.pkts[0][28 + 8], 7);        // inner TTL
  EXPECT_TRUE(ipv4_header_checksum_ok(r.pkts[0]));
  EXPECT_TRUE(l4_checksum_ok(r.pkts[0]));
}

TEST(Rfc7915Section5_3, TranslatedErrorsAreCappedAt576Bytes) {
  V6 outer;
  V6 inner;
  inner.src = outer.dst;
  inner.dst = outer.src;
  auto r = translate(jool_like_config(), icmp6(outer, 1, 4, 0, udp6(inner, 1, 2, pattern(1000))));
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(r.pkts[0].size(), 576u);
  EXPECT_TRUE(l4_checksum_ok(r.pkts[0]));
  EXPECT_EQ(be16(r.pkts[0], 28 + 2), 20 + 1008);  // inner Total Length: the original's
}

TEST(Rfc6791, ErrorFromAnUnmappableRouterUsesTheConfiguredSource) {
  auto cfg = jool_like_config();
  V6 outer;
  outer.src = "2001:db8:ffff::1";  // outside pool6 and the EAM
  V6 inner;
  inner.src = outer.dst;
  inner.dst = "2001:db8:1c0:2:21::";
  auto in = icmp6(outer, 3, 0, 0, udp6(inner, 1, 2, pattern(8)));
  auto r = translate(cfg, in);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(addr_at(r.pkts[0], 12, false), "198.51.100.1");
  cfg.rfc6791_v4 = xlat::parse_ipv4("203.0.113.8");
  r = translate(cfg, in);
  EXPECT_EQ(addr_at(r.pkts[0], 12, false), "203.0.113.8");
  // Not an error: refused with Destination Unreachable code 5 (TAYGA's habit).
  auto plain = translate(cfg, udp6(outer, 1, 2, pattern(8)));
  ASSERT_EQ(plain.verdict, Verdict::Reply);
  EXPECT_EQ(plain.reason, DropReason::Ipv6SourceUnmapped);
  EXPECT_EQ(plain.pkts[0][40], 1);
  EXPECT_EQ(plain.pkts[0][41], 5);
}

TEST(Rfc7915Section5_5, BadTransportChecksumsComeOutEquallyBad) {
  V6 h;
  auto in = tcp6(h, 1, 2, pattern(64));
  in[40 + 16] ^= 0x33;
  auto r = translate(jool_like_config(), in);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_FALSE(l4_checksum_ok(r.pkts[0]));
  EXPECT_EQ(l4_checksum_residual(r.pkts[0]), l4_checksum_residual(in));
}

TEST(DynamicPool, UnmappedSourceTakesAPoolAddressAndExhaustionIsAnswered) {
  auto cfg = jool_like_config();
  testpkt::FakePool pool(*xlat::parse_ipv4_prefix("192.168.255.0/24"), 1);
  V6 h;
  h.src = "2001:db8:beef::1";
  auto r = translate(cfg, udp6(h, 1, 2, pattern(8)), &pool);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(addr_at(r.pkts[0], 12, false), "192.168.255.1");
  EXPECT_TRUE(l4_checksum_ok(r.pkts[0]));
  h.src = "2001:db8:beef::2";
  r = translate(cfg, udp6(h, 1, 2, pattern(8)), &pool);
  ASSERT_EQ(r.verdict, Verdict::Reply);
  EXPECT_EQ(r.reason, DropReason::PoolExhausted);
  EXPECT_EQ(r.pkts[0][40], 1);
  EXPECT_EQ(r.pkts[0][41], 5);
  // The way back: IPv4 to the pool address reaches the IPv6 host.
  V4 back;
  back.src = "198.51.100.2";
  back.dst = "192.168.255.1";
  r = translate(cfg, udp4(back, 2, 1, pattern(8)), &pool);
  ASSERT_EQ(r.verdict, Verdict::Forward);
  EXPECT_EQ(addr_at(r.pkts[0], 24, true), "2001:db8:beef::1");
}

TEST(Rfc7757Section4_2, HairpinnedPacketsComeBackAsIpv6OnceDecremented) {
  V6 h;
  h.src = "2001:db8:3::8";          // EAM host 1.0.0.8
  h.dst = "2001:db8:101:0:9::";     // 1.0.0.9 through pool6, which is EAM host ::9
  auto cfg = jool_like_config();
  cfg.hairpinning = true;
  auto r = translate(cfg, udp6(h, 1, 2, pattern(8)));
  ASSERT_EQ(r.verdict, Verdict::Forward);
  const Bytes& o = r.pkts[0];
  EXPECT_EQ(o[0] >> 4, 6);
  EXPECT_EQ(o[7], 63);
  EXPECT_EQ(addr_at(o, 8, true), "2001:db8:101:0:8::");  // source through pool6
  EXPECT_EQ(addr_at(o, 24, true), "2001:db8:3::9");
  EXPECT_TRUE(l4_checksum_ok(o));
}

// TAYGA's default: no hairpinning inside the translator; a prefix address embedding a
// mapped IPv4 address is refused (answered 1/0), never translated into the TUN.
TEST(Rfc7757Section4_2, HairpinsAreRefusedWhenHairpinningIsOff) {
  V6 h;
  h.src = "2001:db8:3::8";
  h.dst = "2001:db8:101:0:9::";
  auto r = translate(jool_like_config(), udp6(h, 1, 2, pattern(8)));
  EXPECT_EQ(r.reason, DropReason::Ipv6DestHairpin);
  ASSERT_EQ(r.verdict, Verdict::Reply);
  EXPECT_EQ(r.pkts[0][40], 1);  // ICMPv6 Destination Unreachable
  EXPECT_EQ(r.pkts[0][41], 0);
}

// The clatd recipe: the PLAT's reply is addressed to the EAM entry's own IPv6 side, so
// its IPv4 result (the EAM's IPv4 address) is for the host behind the TUN, not a
// hairpin, with hairpinning on or off. (xlatd looped it back to IPv6 before.)
TEST(Rfc7757Section4_2, ADestinationThatIsAnEamIpv6AddressIsNotAHairpin) {
  V6 h;
  h.src = "2001:db8:1c6:3364:2::";  // 198.51.100.2 through pool6 (/40)
  h.dst = "2001:db8:3::8";               // EAM host 1.0.0.8
  for (bool on : {false, true}) {
    auto cfg = jool_like_config();
    cfg.hairpinning = on;
    auto r = translate(cfg, udp6(h, 1, 2, pattern(8)));
    ASSERT_EQ(r.verdict, Verdict::Forward) << on;
    EXPECT_EQ(r.pkts[0][0] >> 4, 4) << on;
    EXPECT_EQ(addr_at(r.pkts[0], 16, false), "1.0.0.8") << on;
  }
}

TEST(Rfc7915Section5_1, MalformedPacketsAreCountedDrops) {
  V6 h;
  auto good = udp6(h, 1, 2, pattern(8));
  Bytes cut(good.begin(), good.begin() + 39);
  EXPECT_EQ(translate(jool_like_config(), cut).reason, DropReason::Ipv6Truncated);
  auto longer = good;
  longer[5] += 10;
  EXPECT_EQ(translate(jool_like_config(), longer).reason, DropReason::Ipv6BadPayloadLength);
  V6 ll;
  ll.src = "fe80::1";
  EXPECT_EQ(translate(jool_like_config(), udp6(ll, 1, 2, pattern(8))).reason,
            DropReason::Ipv6ReservedSource);
  V6 trunc;
  trunc.ext = {{0, Bytes{5, 0, 0, 0, 0, 0, 0}}};  // HBH claiming 48 bytes
  EXPECT_EQ(translate(jool_like_config(), ipv6(trunc, 17, pattern(4))).reason,
            DropReason::Ipv6Truncated);
}

TEST(TranslatorSelf, EchoToTheOwnIpv6AddressIsAnswered) {
  V6 h;
  h.dst = "2001:db8:1c0:2:1::";
  auto r = translate(jool_like_config(), icmp6(h, 128, 0, 0x00070001, pattern(32)));
  ASSERT_EQ(r.verdict, Verdict::Reply);
  const Bytes& o = r.pkts[0];
  EXPECT_EQ(o[40], 129);
  EXPECT_EQ(addr_at(o, 8, true), "2001:db8:1c0:2:1::");
  EXPECT_EQ(addr_at(o, 24, true), "2001:db8:1c0:2:21::");
  EXPECT_TRUE(l4_checksum_ok(o));
}

}  // namespace

namespace {
TEST(TranslatorSelf, OtherProtocolsToTheOwnIpv6AddressGetParameterProblem) {
  testpkt::V6 h;
  h.dst = "2001:db8:1c0:2:1::";
  auto r = testpkt::translate(testpkt::jool_like_config(), testpkt::udp6(h, 1, 53, testpkt::pattern(8)));
  ASSERT_EQ(r.verdict, xlat::Verdict::Reply);
  EXPECT_EQ(r.pkts[0][40], 4);
  EXPECT_EQ(r.pkts[0][41], 1);
  EXPECT_EQ(testpkt::be32(r.pkts[0], 44), 6u);
  EXPECT_TRUE(testpkt::l4_checksum_ok(r.pkts[0]));
}
}  // namespace

namespace {
TEST(TranslatorSelf, ParameterProblemPointsAtTheNextHeaderBehindExtensionHeaders) {
  testpkt::V6 h;
  h.dst = "2001:db8:1c0:2:1::";
  h.ext = {{60, testpkt::Bytes{0, 1, 4, 0, 0, 0, 0}}};  // Destination Options, 8 bytes
  auto r = testpkt::translate(testpkt::jool_like_config(), testpkt::udp6(h, 1, 53, testpkt::pattern(8)));
  ASSERT_EQ(r.verdict, xlat::Verdict::Reply);
  EXPECT_EQ(r.pkts[0][40], 4);
  EXPECT_EQ(r.pkts[0][41], 1);
  EXPECT_EQ(testpkt::be32(r.pkts[0], 44), 40u);  // the Destination Options' Next Header byte
}
}  // namespace
