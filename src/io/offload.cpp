#include "io/offload.hpp"

#include <linux/if_tun.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>

#include "xlat/headers.hpp"
#include "xlat/ipv6_chain.hpp"

namespace xlatd {

namespace {

// Linux 6.2 (include/uapi/linux/if_tun.h); Debian 12's headers predate them.
constexpr unsigned kTunFUso4 = 0x20, kTunFUso6 = 0x40;

uint16_t le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
void put_le16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

// Where the transport header starts in a translated packet; 0 if nowhere.
uint32_t l4_offset(const uint8_t* p, uint32_t len) {
  uint32_t offset;
  uint8_t protocol;
  return xlat::transport_header(p, len, offset, protocol) ? offset : 0;
}

}  // namespace

VnetHeader read_vnet(const uint8_t* p) {
  return {p[0], p[1], le16(p + 2), le16(p + 4), le16(p + 6), le16(p + 8)};
}

void write_vnet(uint8_t* p, const VnetHeader& h) {
  p[0] = h.flags;
  p[1] = h.gso_type;
  put_le16(p + 2, h.hdr_len);
  put_le16(p + 4, h.gso_size);
  put_le16(p + 6, h.csum_start);
  put_le16(p + 8, h.csum_offset);
}

bool enable_tun_offloads(int fd, bool& uso, std::string& error) {
  unsigned flags = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
  uso = ::ioctl(fd, TUNSETOFFLOAD, flags | kTunFUso4 | kTunFUso6) == 0;
  if (!uso && ::ioctl(fd, TUNSETOFFLOAD, flags) != 0) {
    error = std::string("TUNSETOFFLOAD: ") + std::strerror(errno);
    return false;
  }
  return true;
}

void describe_for_core(const VnetHeader& h, xlat::Packet& p) {
  p.csum_partial = (h.flags & kNeedsCsum) != 0;
  uint8_t type = h.gso_type & static_cast<uint8_t>(~kGsoEcn);
  p.gso_size = (type == kGsoTcpV4 || type == kGsoTcpV6 || type == kGsoUdpL4) ? h.gso_size : 0;
}

bool translate_vnet(VnetHeader& h, const uint8_t* out, uint32_t len, uint32_t mtu) {
  if ((h.flags & kNeedsCsum) == 0 && h.gso_type == kGsoNone) return true;  // nothing to carry
  uint32_t new_l4 = l4_offset(out, len);
  if (new_l4 == 0) return false;
  if (h.flags & kNeedsCsum) h.csum_start = static_cast<uint16_t>(new_l4);
  uint8_t type = h.gso_type & static_cast<uint8_t>(~kGsoEcn);
  if (type == kGsoNone) return true;
  if (type == kGsoUdpL4) {
    // Datagrams: the segment size is the application's and cannot change. The worker
    // segmented in software whatever would not fit (needs_software_segmentation).
    h.hdr_len = static_cast<uint16_t>(new_l4 + xlat::kUdpHeaderLen);
    return new_l4 + xlat::kUdpHeaderLen <= len && h.hdr_len + uint32_t{h.gso_size} <= mtu;
  }
  if (type != kGsoTcpV4 && type != kGsoTcpV6) return false;
  // hdr_len as the kernel reads it back: the IP and TCP headers (the kernel writes the
  // length of its linear data here, which may be more; exact is always accepted).
  if (new_l4 + xlat::kTcpMinHeaderLen > len) return false;
  uint32_t tcp_len = (out[new_l4 + 12] >> 4) * 4u;
  if (tcp_len < xlat::kTcpMinHeaderLen || new_l4 + tcp_len > len) return false;
  h.hdr_len = static_cast<uint16_t>(new_l4 + tcp_len);
  h.gso_type = static_cast<uint8_t>(((out[0] >> 4) == 4 ? kGsoTcpV4 : kGsoTcpV6) | (h.gso_type & kGsoEcn));
  // Every segment must fit: headers + gso_size <= MTU.
  if (h.hdr_len >= mtu) return false;
  uint32_t room = mtu - h.hdr_len;
  if (h.gso_size > room) h.gso_size = static_cast<uint16_t>(room);
  return h.gso_size > 0;
}

}  // namespace xlatd
