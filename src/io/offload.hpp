// TUN offloads: IFF_VNET_HDR puts a virtio-net header in front of every packet, and
// TUNSETOFFLOAD (checksum, TSO4, TSO6) lets the kernel hand over TCP super-packets of up
// to 64 KiB with a partial checksum, and take them back. A super-packet is translated as
// one unit; this file carries its header across the translation:
// - gso_type TCPV4 <-> TCPV6 (the ECN bit kept);
// - csum_start and hdr_len moved by the difference in IP header size;
// - gso_size cut so that every segment still fits the MTU (an IPv6 header is 20 bytes
//   more than an IPv4 one);
// - the partial pseudo-header checksum itself is the core's (Packet::csum_partial).
#pragma once

#include <cstdint>
#include <string>

#include "xlat/translator.hpp"

namespace xlatd {

inline constexpr uint32_t kVnetHeaderLen = 10;  // struct virtio_net_hdr

struct VnetHeader {
  uint8_t flags = 0;     // VIRTIO_NET_HDR_F_NEEDS_CSUM = 1
  uint8_t gso_type = 0;  // NONE 0, TCPV4 1, UDP 3, TCPV6 4, ECN bit 0x80
  uint16_t hdr_len = 0;
  uint16_t gso_size = 0;
  uint16_t csum_start = 0;
  uint16_t csum_offset = 0;
};

// Little-endian, as TUN uses them on every current Linux architecture.
VnetHeader read_vnet(const uint8_t* p);
void write_vnet(uint8_t* p, const VnetHeader& h);

// TUNSETOFFLOAD with checksum + TSO4 + TSO6 (+ TSO ECN). False where the kernel refuses.
bool enable_tun_offloads(int fd, std::string& error);

// What the core needs to know about a packet read with this header.
void describe_for_core(const VnetHeader& h, xlat::Packet& p);

// Rewrites `h` (read with the input packet) for the translated packet `out` (len bytes,
// an IP header at its start) that will be written to a device of `mtu` bytes. False
// when it cannot go out as one unit (the caller drops and counts it).
bool translate_vnet(VnetHeader& h, const uint8_t* out, uint32_t len, uint32_t mtu);

}  // namespace xlatd
