// TUN offloads: a partial (pseudo-header) checksum comes out right once the kernel
// completes it, and the virtio-net header follows the packet across translation.
#include <gtest/gtest.h>

#include <cstring>

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
  xlatd::describe_for_core({0, 3, 0, 1200, 0, 0}, p);  // UDP fragmentation offload: not ours
  EXPECT_FALSE(p.csum_partial);
  EXPECT_EQ(p.gso_size, 0);
}

}  // namespace
