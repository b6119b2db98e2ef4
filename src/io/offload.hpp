// TUN offloads: IFF_VNET_HDR puts a virtio-net header in front of every packet, and
// TUNSETOFFLOAD (checksum, TSO4, TSO6, USO4, USO6) lets the kernel hand over TCP and UDP
// super-packets of up to 64 KiB with a partial checksum, and take them back. A
// super-packet is translated as one unit; this file carries its header across the
// translation:
// - gso_type TCPV4 <-> TCPV6 (the ECN bit kept); UDP_L4 serves both;
// - csum_start and hdr_len moved by the difference in IP header size;
// - TCP: gso_size cut so that every segment still fits the MTU (an IPv6 header is 20
//   bytes more than an IPv4 one). UDP segments are datagrams and cannot be cut: those
//   that would not fit are segmented in software first (gso_segment.hpp);
// - the partial pseudo-header checksum itself is the core's (Packet::csum_partial).
#pragma once

#include <cstdint>
#include <string>

#include "xlat/translator.hpp"

namespace xlatd {

inline constexpr uint32_t kVnetHeaderLen = 10;  // struct virtio_net_hdr

// virtio_net_hdr flags and gso_type values (include/uapi/linux/virtio_net.h).
inline constexpr uint8_t kNeedsCsum = 1;
inline constexpr uint8_t kGsoNone = 0, kGsoTcpV4 = 1, kGsoTcpV6 = 4, kGsoUdpL4 = 5, kGsoEcn = 0x80;

struct VnetHeader {
  uint8_t flags = 0;     // VIRTIO_NET_HDR_F_NEEDS_CSUM = 1
  uint8_t gso_type = 0;  // NONE 0, TCPV4 1, UDP 3, TCPV6 4, UDP_L4 5, ECN bit 0x80
  uint16_t hdr_len = 0;
  uint16_t gso_size = 0;
  uint16_t csum_start = 0;
  uint16_t csum_offset = 0;
};

// Little-endian, as TUN uses them on every current Linux architecture.
VnetHeader read_vnet(const uint8_t* p);
void write_vnet(uint8_t* p, const VnetHeader& h);

// TUNSETOFFLOAD with checksum + TSO4 + TSO6 (+ TSO ECN), and USO4 + USO6 where the
// kernel has them (6.2+; `uso` says whether it did). False where the kernel refuses even
// checksum and TSO.
bool enable_tun_offloads(int fd, bool& uso, std::string& error);

// What the core needs to know about a packet read with this header.
void describe_for_core(const VnetHeader& h, xlat::Packet& p);

// Rewrites `h` (read with the input packet) for the translated packet `out` (len bytes,
// an IP header at its start) that will be written to a device of `mtu` bytes. False
// when it cannot go out as one unit (the caller drops and counts it).
bool translate_vnet(VnetHeader& h, const uint8_t* out, uint32_t len, uint32_t mtu);

}  // namespace xlatd
