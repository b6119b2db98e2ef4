// TUN offloads: a partial (pseudo-header) checksum comes out right once the kernel
// completes it, and the virtio-net header follows the packet across translation.
#include <gtest/gtest.h>

#include <cstring>

#include "io/gso_segment.hpp"
#include "io/offload.hpp"
#include "packet_builder.hpp"

namespace {

using namespace testpkt;

// Turns a finished TCP checksum into the partial form a CHECKSUM_PARTIAL packet carries:
// the folded pseudo-header sum, not inverted.
void make_partial(Bytes& pkt, uint32_t pseudo, size_t csum_at) {
  uint32_t s = pseudo;
  while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
  pkt[csum_at] = static_cast<uint8_t>(s >> 8);
  pkt[csum_at + 1] = static_cast<uint8_t>(s);
}

// What the kernel (or the NIC) does with CHECKSUM_PARTIAL: sum from csum_start to the
// end, with the field as it is, and store the complement.
void complete(Bytes& pkt, size_t l4, size_t csum_at) {
  uint32_t s = 0;
  for (size_t i = l4; i + 1 < pkt.size(); i += 2) s += static_cast<uint32_t>(pkt[i] << 8 | pkt[i + 1]);
  if ((pkt.size() - l4) % 2) s += static_cast<uint32_t>(pkt.back() << 8);
  while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
  uint16_t c = static_cast<uint16_t>(~s);
  pkt[csum_at] = static_cast<uint8_t>(c >> 8);
  pkt[csum_at + 1] = static_cast<uint8_t>(c);
}

Run translate_flags(const Bytes& pkt, bool partial, uint16_t gso) {
  static std::vector<uint8_t> scratch(xlat::kScratchSize);
  static xlat::TranslatorConfig cfg = jool_like_config();
  Bytes buf(64 + pkt.size());
  std::copy(pkt.begin(), pkt.end(), buf.begin() + 64);
  xlat::Translator t(cfg);
  xlat::Output out(scratch);
  xlat::Packet p{buf.data() + 64, static_cast<uint32_t>(pkt.size()), 64, partial, gso};
  t.translate(p, out);
  Run r{out.verdict, out.reason, {}};
  for (uint32_t i = 0; i < out.count; ++i) r.pkts.emplace_back(out.pkts[i].data, out.pkts[i].data + out.pkts[i].len);
  return r;
}

TEST(Offload, PartialChecksum4to6IsRightOnceCompleted) {
  V4 h;
  auto pkt = tcp4(h, 1000, 80, pattern(3000));  // a super-packet: bigger than any MTU
  make_partial(pkt, pseudo4(h, 6, 0), 20 + 16);  // TSO: pseudo-header without length
  auto r = translate_flags(pkt, true, 1460);
  ASSERT_EQ(r.verdict, xlat::Verdict::Forward);  // no Fragmentation Needed for GSO
  ASSERT_EQ(r.pkts.size(), 1u);
  Bytes o = r.pkts[0];
  EXPECT_EQ(o.size(), pkt.size() + 20);
  // The field must now hold the IPv6 pseudo-header sum (without length).
  V6 h6;
  h6.src = "2001:db8:1c6:3364:2::";
  h6.dst = "2001:db8:1c0:2:21::";
  uint32_t want = pseudo6(h6, 6, 0);
  while (want > 0xffff) want = (want & 0xffff) + (want >> 16);
  EXPECT_EQ(be16(o, 40 + 16), want);
  // Completed as the kernel would with the real length in the pseudo-header: valid.
  complete(o, 40, 40 + 16);
  EXPECT_FALSE(l4_checksum_ok(o));  // the length is missing, as with real TSO ...
  // ... so add it to the translator's own field (as segmentation does per segment) and
  // complete: the result must check.
  Bytes full = r.pkts[0];
  uint32_t with_len = be16(full, 40 + 16) + static_cast<uint32_t>(full.size() - 40);
  while (with_len > 0xffff) with_len = (with_len & 0xffff) + (with_len >> 16);
  full[40 + 16] = static_cast<uint8_t>(with_len >> 8);
  full[40 + 17] = static_cast<uint8_t>(with_len);
  complete(full, 40, 40 + 16);
  EXPECT_TRUE(l4_checksum_ok(full));
}

TEST(Offload, PartialChecksum6to4WithLengthIsRightOnceCompleted) {
  V6 h;
  auto pkt = tcp6(h, 1000, 80, pattern(200));
  make_partial(pkt, pseudo6(h, 6, 220), 40 + 16);  // CHECKSUM_PARTIAL: with length
  auto r = translate_flags(pkt, true, 0);
  ASSERT_EQ(r.verdict, xlat::Verdict::Forward);
  Bytes o = r.pkts[0];
  complete(o, 20, 20 + 16);
  EXPECT_TRUE(l4_checksum_ok(o));
}

TEST(Offload, GsoSuperPacketsAreNeverFragmentedOrRefused) {
  V6 h;
  auto pkt = tcp6(h, 1000, 80, pattern(20000));
  auto r = translate_flags(pkt, true, 1440);
  ASSERT_EQ(r.verdict, xlat::Verdict::Forward);
  ASSERT_EQ(r.pkts.size(), 1u);
  EXPECT_EQ(r.pkts[0].size(), pkt.size() - 20);
  EXPECT_EQ(be16(r.pkts[0], 6) & 0x4000, 0x4000);  // DF, as every segment is > 1260
}

TEST(Offload, VnetHeaderFollowsTheTranslation) {
  V4 h;
  auto pkt = tcp4(h, 1000, 80, pattern(3000));
  auto r = translate_flags(pkt, true, 1460);
  xlatd::VnetHeader vh{1, 1 | 0x80, 40, 1460, 20, 16};  // NEEDS_CSUM, TCPV4 + ECN
  ASSERT_TRUE(xlatd::translate_vnet(vh, r.pkts[0].data(), static_cast<uint32_t>(r.pkts[0].size()), 1500));
  EXPECT_EQ(vh.gso_type, 4 | 0x80);  // TCPV6, ECN kept
  EXPECT_EQ(vh.csum_start, 40);
  EXPECT_EQ(vh.csum_offset, 16);
  EXPECT_EQ(vh.hdr_len, 60);
  EXPECT_EQ(vh.gso_size, 1440);  // 1460-byte segments would be 1520 bytes of IPv6
  uint8_t raw[10];
  xlatd::write_vnet(raw, vh);
  auto back = xlatd::read_vnet(raw);
  EXPECT_EQ(back.gso_size, 1440);
  EXPECT_EQ(back.hdr_len, 60);
}

TEST(Offload, PlainPacketsKeepAnEmptyHeader) {
  xlatd::VnetHeader vh;
  uint8_t ip[40] = {0x60};
  EXPECT_TRUE(xlatd::translate_vnet(vh, ip, 40, 1500));
  EXPECT_EQ(vh.gso_type, 0);
  EXPECT_EQ(vh.flags, 0);
}

TEST(Offload, DescribeForCore) {
  xlat::Packet p{nullptr, 0, 0};
  xlatd::describe_for_core({1, 4, 60, 1440, 40, 16}, p);
  EXPECT_TRUE(p.csum_partial);
  EXPECT_EQ(p.gso_size, 1440);
  // TCPv4 with the ECN bit (VIRTIO_NET_HDR_GSO_ECN, 0x80): a super-packet all the same.
  xlatd::describe_for_core({1, 1 | 0x80, 40, 1460, 20, 16}, p);
  EXPECT_TRUE(p.csum_partial);
  EXPECT_EQ(p.gso_size, 1460);
  xlatd::describe_for_core({1, 5, 28, 1200, 20, 6}, p);  // UDP segmentation offload (USO)
  EXPECT_EQ(p.gso_size, 1200);
  xlatd::describe_for_core({0, 3, 0, 1200, 0, 0}, p);  // UDP fragmentation offload: not ours
  EXPECT_FALSE(p.csum_partial);
  EXPECT_EQ(p.gso_size, 0);
}

// --- software segmentation (gso_segment.cpp) ---

Bytes segment(const Bytes& pkt, const xlatd::GsoLayout& g, uint32_t i) {
  Bytes out(g.hdr_len + g.mss);
  out.resize(xlatd::write_segment(pkt.data(), g, i, out.data()));
  return out;
}

// What UDP segmentation offload promises (Linux's udp4_ufo_fragment / __udp_gso_segment):
// each datagram carries the next mss bytes with its own IPv4 Total Length and
// Identification (counting up), header checksum, UDP Length and UDP checksum.
TEST(SoftwareSegmentation, UdpIpv4SuperPacketBecomesDatagrams) {
  V4 h;
  h.id = 0xfffe;  // Identification wraps while counting up
  Bytes payload = pattern(2500, 9);
  auto pkt = udp4(h, 1000, 80, payload);
  xlatd::GsoLayout g;
  ASSERT_TRUE(xlatd::gso_layout(pkt.data(), static_cast<uint32_t>(pkt.size()), {1, 5, 28, 1000, 20, 6}, g));
  ASSERT_EQ(g.segments, 3u);
  Bytes joined;
  for (uint32_t i = 0; i < 3; ++i) {
    Bytes s = segment(pkt, g, i);
    const uint32_t chunk = i < 2 ? 1000 : 500;
    ASSERT_EQ(s.size(), 28 + chunk);
    EXPECT_EQ(be16(s, 2), 28 + chunk);
    EXPECT_EQ(be16(s, 4), static_cast<uint16_t>(0xfffe + i));
    EXPECT_TRUE(ipv4_header_checksum_ok(s));
    EXPECT_EQ(be16(s, 20 + 4), 8 + chunk);  // UDP Length
    EXPECT_TRUE(l4_checksum_ok(s)) << "segment " << i;
    joined.insert(joined.end(), s.begin() + 28, s.end());
  }
  EXPECT_EQ(joined, payload);
}

TEST(SoftwareSegmentation, UdpIpv6SuperPacketBecomesDatagrams) {
  V6 h;
  Bytes payload = pattern(2500, 3);
  auto pkt = udp6(h, 4433, 443, payload);
  xlatd::GsoLayout g;
  ASSERT_TRUE(xlatd::gso_layout(pkt.data(), static_cast<uint32_t>(pkt.size()), {1, 5, 48, 1200, 40, 6}, g));
  ASSERT_EQ(g.segments, 3u);
  Bytes joined;
  for (uint32_t i = 0; i < 3; ++i) {
    Bytes s = segment(pkt, g, i);
    const uint32_t chunk = i < 2 ? 1200 : 100;
    ASSERT_EQ(s.size(), 48 + chunk);
    EXPECT_EQ(be16(s, 4), 8 + chunk);       // IPv6 Payload Length
    EXPECT_EQ(be16(s, 40 + 4), 8 + chunk);  // UDP Length
    EXPECT_TRUE(l4_checksum_ok(s)) << "segment " << i;
    joined.insert(joined.end(), s.begin() + 48, s.end());
  }
  EXPECT_EQ(joined, payload);
}

TEST(SoftwareSegmentation, MalformedOrForeignSuperPacketsAreRefused) {
  V4 h;
  auto tcp = tcp4(h, 1, 2, pattern(100));
  auto udp = udp4(h, 1, 2, pattern(100));
  xlatd::GsoLayout g;
  const auto n = static_cast<uint32_t>(tcp.size());
  const auto m = static_cast<uint32_t>(udp.size());
  EXPECT_FALSE(xlatd::gso_layout(tcp.data(), n, {1, 1, 40, 50, 20, 16}, g));  // TCP: gso_size is lowered instead
  EXPECT_FALSE(xlatd::gso_layout(tcp.data(), n, {1, 4, 40, 50, 20, 16}, g));  // TCPV6 likewise
  EXPECT_FALSE(xlatd::gso_layout(tcp.data(), n, {1, 5, 28, 50, 20, 6}, g));   // says UDP, is TCP
  EXPECT_FALSE(xlatd::gso_layout(udp.data(), m, {1, 5, 28, 0, 20, 6}, g));    // no segment size
  EXPECT_FALSE(xlatd::gso_layout(udp.data(), m, {1, 3, 28, 50, 20, 6}, g));   // UFO
  EXPECT_FALSE(xlatd::gso_layout(udp.data(), 28, {1, 5, 28, 50, 20, 6}, g));  // no payload
  EXPECT_FALSE(xlatd::gso_layout(udp.data(), 20, {1, 5, 28, 50, 20, 6}, g));  // truncated
  EXPECT_TRUE(xlatd::gso_layout(udp.data(), m, {1, 5, 28, 50, 20, 6}, g));
}

// UDP segments are the application's datagrams: when the translated ones would not fit
// the MTU they are cut in software first; TCP never needs it (gso_size is lowered).
TEST(SoftwareSegmentation, WhenItIsNeeded) {
  V4 h4;
  V6 h6;
  auto u4 = udp4(h4, 1, 2, pattern(3000));
  auto u6 = udp6(h6, 1, 2, pattern(3000));
  auto n4 = static_cast<uint32_t>(u4.size());
  auto n6 = static_cast<uint32_t>(u6.size());
  EXPECT_TRUE(xlatd::needs_software_segmentation({1, 5, 28, 1472, 20, 6}, u4.data(), n4, 1500));   // 1520 as IPv6
  EXPECT_FALSE(xlatd::needs_software_segmentation({1, 5, 28, 1452, 20, 6}, u4.data(), n4, 1500));  // 1500 exactly
  EXPECT_FALSE(xlatd::needs_software_segmentation({1, 5, 48, 1452, 40, 6}, u6.data(), n6, 1500));
  EXPECT_FALSE(xlatd::needs_software_segmentation({1, 1, 40, 1460, 20, 16}, u4.data(), n4, 1500));  // TCP
  EXPECT_FALSE(xlatd::needs_software_segmentation({1, 0, 0, 0, 20, 6}, u4.data(), n4, 1500));       // plain
  // UFO (never asked for with TUNSETOFFLOAD): not cut; translate_vnet refuses it (below).
  EXPECT_FALSE(xlatd::needs_software_segmentation({1, 3, 28, 1000, 20, 6}, u4.data(), n4, 1500));
  xlatd::VnetHeader ufo{1, 3, 28, 1000, 20, 6};
  EXPECT_FALSE(xlatd::translate_vnet(ufo, u4.data(), n4, 1500));
}

TEST(Offload, UdpVnetHeaderKeepsItsTypeAndSegmentSize) {
  V4 h;
  auto pkt = udp4(h, 1000, 443, pattern(3000));
  auto r = translate_flags(pkt, true, 1000);
  ASSERT_EQ(r.verdict, xlat::Verdict::Forward);
  xlatd::VnetHeader vh{1, 5, 28, 1000, 20, 6};
  ASSERT_TRUE(xlatd::translate_vnet(vh, r.pkts[0].data(), static_cast<uint32_t>(r.pkts[0].size()), 1500));
  EXPECT_EQ(vh.gso_type, 5);
  EXPECT_EQ(vh.gso_size, 1000);
  EXPECT_EQ(vh.csum_start, 40);
  EXPECT_EQ(vh.hdr_len, 48);
  xlatd::VnetHeader big{1, 5, 28, 1472, 20, 6};  // would need 1520 bytes: refused, never cut
  EXPECT_FALSE(xlatd::translate_vnet(big, r.pkts[0].data(), static_cast<uint32_t>(r.pkts[0].size()), 1500));
}

}  // namespace
