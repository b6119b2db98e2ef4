// Software segmentation: a TCP or UDP super-packet read from the TUN (virtio-net GSO)
// cut into the packets a NIC would have put on the wire, each with complete headers and
// a complete checksum. It is the slow path for super-packets that cannot go through as
// one unit:
// - UDP (USO): every segment is a datagram of its own, so gso_size cannot be lowered to
//   make room for the 20 bytes an IPv6 header adds. Segments that would not fit the MTU
//   are translated one by one, and the ordinary rules apply to each (RFC 7915 §4: IPv6
//   fragments for an IPv4 datagram without DF, Packet Too Big / Fragmentation Needed
//   otherwise).
// - anything whose virtio-net header cannot be carried across (an unknown GSO type).
// What is done per segment is what Linux's TCP and UDP GSO do: IPv4 Identification
// counts up, TCP sequence numbers advance, FIN and PSH stay on the last segment only,
// CWR on the first only.
#pragma once

#include <cstdint>

#include "io/offload.hpp"

namespace xlatd {

struct GsoLayout {
  bool ipv4 = false;
  bool tcp = false;
  uint32_t l4 = 0;        // where the TCP / UDP header starts
  uint32_t hdr_len = 0;   // l4 + the TCP / UDP header
  uint32_t payload = 0;   // bytes after hdr_len
  uint32_t mss = 0;       // payload bytes per segment (gso_size)
  uint32_t segments = 0;  // ceil(payload / mss)
};

// Reads the layout of the super-packet `pkt` (len bytes, starting at the IP header)
// read with virtio-net header `h`. False when it is not a TCP or UDP GSO packet this
// code can cut (malformed, or an IPv6 header chain it does not walk).
bool gso_layout(const uint8_t* pkt, uint32_t len, const VnetHeader& h, GsoLayout& out);

// Writes segment `i` (0-based) of `pkt` to `dst` (room for hdr_len + mss bytes) with
// its own lengths, Identification, sequence number, flags and complete checksum.
// Returns its length.
uint32_t write_segment(const uint8_t* pkt, const GsoLayout& g, uint32_t i, uint8_t* dst);

// True when a super-packet read with `h` must be segmented before translation: a UDP
// datagram that would not fit `mtu` once its IP header is translated, or a GSO type this
// translator does not carry across. (TCP always fits: gso_size is lowered instead.)
bool needs_software_segmentation(const VnetHeader& h, const uint8_t* pkt, uint32_t len, uint32_t mtu);

}  // namespace xlatd
