#include "io/gso_segment.hpp"

#include <algorithm>
#include <cstring>

#include "xlat/bytes.hpp"
#include "xlat/checksum.hpp"
#include "xlat/headers.hpp"

namespace xlatd {

namespace {

// The complete UDP checksum of a datagram: pseudo-header (RFC 768 for IPv4, RFC 8200
// §8.1 for IPv6) and everything from the UDP header on.
void finish_udp_checksum(uint8_t* seg, const GsoLayout& g, uint32_t seg_len) {
  uint8_t* udp = seg + g.l4;
  uint8_t* field = udp + xlat::l4_checksum_offset(xlat::proto::kUdp);
  xlat::store16(field, 0);
  const uint32_t udp_len = seg_len - g.l4;
  // The source and destination addresses, adjacent in both headers.
  uint64_t acc = g.ipv4 ? xlat::csum_add_bytes(seg + 12, 8) : xlat::csum_add_bytes(seg + 8, 32);
  uint16_t c = xlat::csum_finish(xlat::csum_add_bytes(udp, udp_len, acc + udp_len + xlat::proto::kUdp));
  // RFC 768: a computed zero is sent as all ones (zero means "no checksum").
  xlat::store16(field, c == 0 ? 0xffff : c);
}

}  // namespace

bool gso_layout(const uint8_t* pkt, uint32_t len, const VnetHeader& h, GsoLayout& out) {
  if ((h.gso_type & static_cast<uint8_t>(~kGsoEcn)) != kGsoUdpL4) return false;
  if (len < xlat::kIpv4HeaderLen || h.gso_size == 0) return false;
  uint8_t* const ip = const_cast<uint8_t*>(pkt);  // read only: the views have no const form
  GsoLayout g;
  uint8_t proto;
  if (pkt[0] >> 4 == 4) {
    const xlat::Ipv4Header h4{ip};
    g.ipv4 = true;
    g.l4 = h4.ihl_bytes();
    proto = h4.protocol();
    if (g.l4 < xlat::kIpv4HeaderLen) return false;
  } else if (pkt[0] >> 4 == 6 && len >= xlat::kIpv6HeaderLen) {
    // Sockets' GSO never puts extension headers in front of UDP.
    g.l4 = xlat::kIpv6HeaderLen;
    proto = xlat::Ipv6Header{ip}.next_header();
  } else {
    return false;
  }
  if (proto != xlat::proto::kUdp) return false;
  g.hdr_len = g.l4 + xlat::kUdpHeaderLen;
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
    xlat::Ipv4Header h4{dst};
    h4.set_total_length(static_cast<uint16_t>(seg_len));
    h4.set_id(static_cast<uint16_t>(h4.id() + i));  // counts up, as Linux's UDP GSO
    h4.set_checksum(0);
    h4.set_checksum(xlat::csum_finish(xlat::csum_add_bytes(dst, g.l4)));
  } else {
    xlat::Ipv6Header{dst}.set_payload_length(static_cast<uint16_t>(seg_len - xlat::kIpv6HeaderLen));
  }
  xlat::store16(dst + g.l4 + 4, static_cast<uint16_t>(seg_len - g.l4));  // UDP Length
  finish_udp_checksum(dst, g, seg_len);
  return seg_len;
}

bool needs_software_segmentation(const VnetHeader& h, const uint8_t* pkt, uint32_t len, uint32_t mtu) {
  if ((h.gso_type & static_cast<uint8_t>(~kGsoEcn)) != kGsoUdpL4 || len == 0) return false;
  // The translated packet's IP header: IPv4 becomes a 40-byte IPv6 header, IPv6 a
  // 20-byte IPv4 one.
  const uint32_t out_l4 = (pkt[0] >> 4) == 4 ? xlat::kIpv6HeaderLen : xlat::kIpv4HeaderLen;
  return out_l4 + xlat::kUdpHeaderLen + h.gso_size > mtu;
}

}  // namespace xlatd
