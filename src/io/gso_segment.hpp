// Software segmentation of UDP super-packets (USO) read from the TUN: cut into the
// datagrams the sender's socket wrote, each with its own lengths and a complete
// checksum, as Linux's UDP GSO would put them on the wire (IPv4 Identification counting
// up). It is the slow path for datagrams that would not fit the MTU once translated:
// every segment is a datagram of its own, so gso_size cannot be lowered to make room for
// the 20 bytes an IPv6 header adds. Each is then translated on its own, under the
// ordinary rules (RFC 7915 §4: IPv6 fragments for an IPv4 datagram without DF, Packet
// Too Big / Fragmentation Needed otherwise).
// TCP super-packets never come here: their gso_size is lowered instead (offload.hpp).
// A GSO type TUNSETOFFLOAD never asked for (UFO) is not cut either: translate_vnet
// refuses it and the worker counts it as gso_untranslatable.
#pragma once

#include <cstdint>

#include "io/offload.hpp"

namespace xlatd {

struct GsoLayout {
  bool ipv4 = false;
  uint32_t l4 = 0;        // where the UDP header starts
  uint32_t hdr_len = 0;   // l4 + the UDP header
  uint32_t payload = 0;   // bytes after hdr_len
  uint32_t mss = 0;       // payload bytes per segment (gso_size)
  uint32_t segments = 0;  // ceil(payload / mss)
};

// Reads the layout of the super-packet `pkt` (len bytes, starting at the IP header)
// read with virtio-net header `h`. False when it is not a UDP GSO packet this code can
// cut (another GSO type, malformed, or an IPv6 header chain it does not walk).
bool gso_layout(const uint8_t* pkt, uint32_t len, const VnetHeader& h, GsoLayout& out);

// Writes segment `i` (0-based) of `pkt` to `dst` (room for hdr_len + mss bytes) with
// its own lengths, Identification and complete checksum.
// Returns its length.
uint32_t write_segment(const uint8_t* pkt, const GsoLayout& g, uint32_t i, uint8_t* dst);

// True when a super-packet read with `h` must be segmented before translation: UDP
// datagrams that would not fit `mtu` once their IP header is translated. (TCP always
// fits: gso_size is lowered instead.)
bool needs_software_segmentation(const VnetHeader& h, const uint8_t* pkt, uint32_t len, uint32_t mtu);

}  // namespace xlatd
