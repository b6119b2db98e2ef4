// What the address-mapping step sees of one end of a packet: its address and, when the
// packet carries one, its transport port or ICMP query identifier.
//
// The stateless mappings in use (RFC 6052 prefixes, RFC 7757 EAM, TAYGA's dynamic pool)
// read the address only. A port-aware mapping such as MAP-T (RFC 7599, where an IPv4
// address is shared by port sets) needs the port too: it becomes one more step inside
// AddressMapper, and the translation walks, which already hand it endpoints, stay as they
// are.
#pragma once

#include <cstdint>

#include "xlat/addr.hpp"

namespace xlat {

struct Endpoint4 {
  Ipv4Addr addr = 0;
  uint16_t port = 0;
  bool has_port = false;
};

// Refers to the address where the packet's fields hold it: the packet path makes two of
// these per packet and copies no 16 bytes for them.
struct Endpoint6 {
  const Ipv6Addr& addr;
  uint16_t port = 0;
  bool has_port = false;
};

// The transport identifiers of a packet, as its source sent them.
struct TransportIds {
  uint16_t src = 0;
  uint16_t dst = 0;
  bool present = false;
};

// Reads the identifiers of the upper-layer header at l4 (`avail` bytes of it): TCP and
// UDP ports; the Identifier of an ICMP or ICMPv6 Echo, as both ports. An ICMP error has none of its own: it is mapped by the
// packet it quotes, turned round (as MAP does, RFC 7597 and RFC 7599), so the error
// reaches the port set that sent that packet. A non-first fragment (no transport
// header), another protocol or a header cut short: none.
TransportIds transport_ids(uint8_t protocol, const uint8_t* l4, uint32_t avail,
                           bool first_fragment);

inline Endpoint4 source_endpoint(Ipv4Addr a, const TransportIds& ids) {
  return {a, ids.src, ids.present};
}
inline Endpoint4 destination_endpoint(Ipv4Addr a, const TransportIds& ids) {
  return {a, ids.dst, ids.present};
}
inline Endpoint6 source_endpoint(const Ipv6Addr& a, const TransportIds& ids) {
  return {a, ids.src, ids.present};
}
inline Endpoint6 destination_endpoint(const Ipv6Addr& a, const TransportIds& ids) {
  return {a, ids.dst, ids.present};
}

}  // namespace xlat
