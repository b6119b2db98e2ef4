#include "xlat/endpoint.hpp"

#include "xlat/bytes.hpp"
#include "xlat/headers.hpp"
#include "xlat/ipv6_chain.hpp"

namespace xlat {

namespace {

// TCP, UDP: source and destination port (RFC 793, RFC 768: the first four bytes).
// ICMP / ICMPv6 Echo Request and Reply: the Identifier, as both source and destination
// (MAP-T, RFC 7599, treats it as the port of the query's sender).
TransportIds own_ids(uint8_t protocol, const uint8_t* l4, uint32_t avail) {
  switch (protocol) {
    case proto::kTcp:
    case proto::kUdp:
      if (avail < 4) return {};
      return {load16(l4), load16(l4 + 2), true};
    case proto::kIcmp:
      if (avail < 8 || (l4[0] != icmp4::kEchoRequest && l4[0] != icmp4::kEchoReply)) return {};
      return {load16(l4 + 4), load16(l4 + 4), true};
    case proto::kIcmpv6:
      if (avail < 8 || (l4[0] != icmp6::kEchoRequest && l4[0] != icmp6::kEchoReply)) return {};
      return {load16(l4 + 4), load16(l4 + 4), true};
    default:
      return {};
  }
}

// The identifiers of the packet an ICMP error quotes (at icmp + 8), turned round: the
// error goes back to that packet's source.
TransportIds quoted_ids(const uint8_t* icmp, uint32_t avail) {
  if (avail < 8) return {};
  const uint8_t* p = icmp + 8;
  const uint32_t n = avail - 8;
  TransportIds ids;
  if (n >= kIpv4HeaderLen && (p[0] >> 4) == 4) {
    const uint32_t ihl = (p[0] & 0x0fu) * 4;
    if (ihl < kIpv4HeaderLen || ihl > n || (load16(p + 6) & 0x1fff) != 0) return {};
    ids = own_ids(p[9], p + ihl, n - ihl);
  } else if (n >= kIpv6HeaderLen && (p[0] >> 4) == 6) {
    Ipv6Chain c;
    if (walk_ipv6_chain(p, n, c) != ChainStatus::Ok || !c.first_fragment()) return {};
    ids = own_ids(c.protocol, p + c.l4_offset, n - c.l4_offset);
  }
  return {ids.dst, ids.src, ids.present};
}

}  // namespace

TransportIds transport_ids(uint8_t protocol, const uint8_t* l4, uint32_t avail,
                                  bool first_fragment) {
  if (!first_fragment) return {};
  if (avail >= 1 && ((protocol == proto::kIcmp && icmp4::is_error(l4[0])) ||
                     (protocol == proto::kIcmpv6 && icmp6::is_error(l4[0])))) {
    return quoted_ids(l4, avail);
  }
  return own_ids(protocol, l4, avail);
}

}  // namespace xlat
