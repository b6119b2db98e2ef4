#include "io/gso_segment.hpp"

#include <algorithm>
#include <cstring>

#include "xlat/bytes.hpp"
#include "xlat/checksum.hpp"
#include "xlat/headers.hpp"

namespace xlatd {

namespace {

constexpr uint8_t kTcpFin = 0x01, kTcpPsh = 0x08, kTcpCwr = 0x80;

// The complete TCP / UDP checksum of a segment: pseudo-header (RFC 793 / RFC 768 for
// IPv4, RFC 8200 §8.1 for IPv6) and everything from the transport header on.
void finish_l4_checksum(uint8_t* seg, const GsoLayout& g, uint32_t seg_len) {
  uint8_t* l4 = seg + g.l4;
  uint8_t* field = l4 + (g.tcp ? 16 : 6);
  xlat::store16(field, 0);
  const uint32_t l4_len = seg_len - g.l4;
  uint64_t acc = g.ipv4 ? xlat::csum_add_bytes(seg + 12, 8) : xlat::csum_add_bytes(seg + 8, 32);
  acc += l4_len + (g.tcp ? xlat::proto::kTcp : xlat::proto::kUdp);
  acc = xlat::csum_add_bytes(l4, l4_len, acc);
  uint16_t c = xlat::csum_finish(acc);
  // RFC 768: a computed zero is sent as all ones (zero means "no checksum").
  if (!g.tcp && c == 0) c = 0xffff;
  xlat::store16(field, c);
}

}  // namespace

bool gso_layout(const uint8_t* pkt, uint32_t len, const VnetHeader& h, GsoLayout& out) {
  const uint8_t type = h.gso_type & static_cast<uint8_t>(~kGsoEcn);
  if (type != kGsoTcpV4 && type != kGsoTcpV6 && type != kGsoUdpL4) return false;
  if (len < xlat::kIpv4HeaderLen || h.gso_size == 0) return false;
  GsoLayout g;
  g.tcp = type != kGsoUdpL4;
  const uint8_t version = pkt[0] >> 4;
  uint8_t proto;
  if (version == 4) {
    g.ipv4 = true;
    g.l4 = (pkt[0] & 0xf) * 4u;
    proto = pkt[9];
    if (g.l4 < xlat::kIpv4HeaderLen) return false;
  } else if (version == 6 && len >= xlat::kIpv6HeaderLen) {
    // Sockets' GSO never puts extension headers in front of TCP / UDP.
    g.l4 = xlat::kIpv6HeaderLen;
    proto = pkt[6];
  } else {
    return false;
  }
  if (proto != (g.tcp ? xlat::proto::kTcp : xlat::proto::kUdp)) return false;
  if (g.tcp && type != (g.ipv4 ? kGsoTcpV4 : kGsoTcpV6)) return false;
  const uint32_t l4_hdr = g.tcp ? (g.l4 + 12 < len ? (pkt[g.l4 + 12] >> 4) * 4u : 0) : xlat::kUdpHeaderLen;
  if (l4_hdr < (g.tcp ? xlat::kTcpMinHeaderLen : xlat::kUdpHeaderLen)) return false;
  g.hdr_len = g.l4 + l4_hdr;
  if (g.hdr_len >= len) return false;
  g.payload = len - g.hdr_len;
  g.mss = h.gso_size;
  g.segments = (g.payload + g.mss - 1) / g.mss;
  out = g;
  return true;
}

uint32_t write_segment(const uint8_t* pkt, const GsoLayout& g, uint32_t i, uint8_t* dst) {
  const uint32_t off = i * g.mss;
  const uint32_t chunk = std::min(g.mss, g.payload - off);
  const uint32_t seg_len = g.hdr_len + chunk;
  std::memcpy(dst, pkt, g.hdr_len);
  std::memcpy(dst + g.hdr_len, pkt + g.hdr_len + off, chunk);
  if (g.ipv4) {
    xlat::store16(dst + 2, static_cast<uint16_t>(seg_len));
    xlat::store16(dst + 4, static_cast<uint16_t>(xlat::load16(pkt + 4) + i));  // as Linux's GSO
    xlat::store16(dst + 10, 0);
    xlat::store16(dst + 10, xlat::csum_finish(xlat::csum_add_bytes(dst, g.l4)));
  } else {
    xlat::store16(dst + 4, static_cast<uint16_t>(seg_len - xlat::kIpv6HeaderLen));
  }
  uint8_t* l4 = dst + g.l4;
  if (g.tcp) {
    xlat::store32(l4 + 4, xlat::load32(pkt + g.l4 + 4) + off);
    if (i + 1 < g.segments) l4[13] &= static_cast<uint8_t>(~(kTcpFin | kTcpPsh));
    if (i > 0) l4[13] &= static_cast<uint8_t>(~kTcpCwr);
  } else {
    xlat::store16(l4 + 4, static_cast<uint16_t>(seg_len - g.l4));
  }
  finish_l4_checksum(dst, g, seg_len);
  return seg_len;
}

bool needs_software_segmentation(const VnetHeader& h, const uint8_t* pkt, uint32_t len, uint32_t mtu) {
  const uint8_t type = h.gso_type & static_cast<uint8_t>(~kGsoEcn);
  if (type == kGsoNone || type == kGsoTcpV4 || type == kGsoTcpV6) return false;
  if (type != kGsoUdpL4 || len == 0) return true;
  // The translated packet's IP header: IPv4 becomes a 40-byte IPv6 header, IPv6 a
  // 20-byte IPv4 one.
  const uint32_t out_l4 = (pkt[0] >> 4) == 4 ? xlat::kIpv6HeaderLen : xlat::kIpv4HeaderLen;
  return out_l4 + xlat::kUdpHeaderLen + h.gso_size > mtu;
}

}  // namespace xlatd
