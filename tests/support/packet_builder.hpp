// Builds test packets field by field and checks their checksums with the slow reference
// implementation, so the translator's fast arithmetic is judged by independent code.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xlat/translator.hpp"

namespace testpkt {

using Bytes = std::vector<uint8_t>;

struct V4 {
  std::string src = "198.51.100.2";
  std::string dst = "192.0.2.33";
  uint8_t tos = 0;
  uint16_t id = 0x1234;
  bool df = true;
  bool mf = false;
  uint16_t frag_offset = 0;  // bytes
  uint8_t ttl = 64;
  Bytes options;             // multiple of 4 bytes
  int16_t total_length_override = -1;
};

struct Ext {
  uint8_t type;  // 0 HBH, 43 Routing, 44 Fragment, 60 DestOpts
  Bytes body;    // everything after the Next Header byte
};

struct V6 {
  std::string src = "2001:db8:1c0:2:21::";
  std::string dst = "2001:db8:1c6:3364:2::";
  uint8_t tc = 0;
  uint8_t hop_limit = 64;
  std::vector<Ext> ext;
};

Bytes ipv4(const V4& h, uint8_t protocol, const Bytes& l4);
Bytes ipv6(const V6& h, uint8_t protocol, const Bytes& l4);

// Transport segments with a correct checksum for the given header's pseudo-header.
Bytes udp(uint32_t pseudo_sum, uint16_t sport, uint16_t dport, const Bytes& payload);
Bytes tcp(uint32_t pseudo_sum, uint16_t sport, uint16_t dport, const Bytes& payload);
Bytes icmp(uint32_t pseudo_sum, uint8_t type, uint8_t code, uint32_t rest, const Bytes& body);

// Pseudo-header sums (RFC 768 / RFC 8200 §8.1), unfolded, including the length.
uint32_t pseudo4(const V4& h, uint8_t protocol, uint32_t len);
uint32_t pseudo6(const V6& h, uint8_t protocol, uint32_t len);

Bytes udp4(const V4& h, uint16_t sport, uint16_t dport, const Bytes& payload);
Bytes tcp4(const V4& h, uint16_t sport, uint16_t dport, const Bytes& payload);
Bytes icmp4(const V4& h, uint8_t type, uint8_t code, uint32_t rest, const Bytes& body);
Bytes udp6(const V6& h, uint16_t sport, uint16_t dport, const Bytes& payload);
Bytes tcp6(const V6& h, uint16_t sport, uint16_t dport, const Bytes& payload);
Bytes icmp6(const V6& h, uint8_t type, uint8_t code, uint32_t rest, const Bytes& body);

Bytes fragment_ext(uint16_t offset, bool more, uint32_t id);

Bytes pattern(size_t n, uint8_t start = 0);

// Reference checks of a whole packet: the IPv4 header checksum and the TCP / UDP / ICMP /
// ICMPv6 checksum (the latter only for unfragmented packets).
bool ipv4_header_checksum_ok(const Bytes& pkt);
bool l4_checksum_ok(const Bytes& pkt);
// The folded one's-complement sum a receiver computes (0xffff when the checksum is
// right); a translator must carry a wrong one over unchanged.
uint16_t l4_checksum_residual(const Bytes& pkt);

// Offset of the transport header (after IPv4 options or IPv6 extension headers).
size_t l4_offset(const Bytes& pkt);
// The upper-layer protocol of an IPv6 packet: Next Header after the extension headers.
uint8_t last_next_header(const Bytes& pkt);

uint16_t be16(const Bytes& b, size_t off);
uint32_t be32(const Bytes& b, size_t off);
std::string addr_at(const Bytes& b, size_t off, bool v6);

// A translator set up like the Jool fixture: pool6 2001:db8:100::/40, own addresses
// 198.51.100.1 and 2001:db8:1c0:2:1::, EAM 2001:db8:3::/120 <-> 1.0.0.0/24.
xlat::TranslatorConfig jool_like_config();

struct Run {
  xlat::Verdict verdict;
  xlat::DropReason reason;
  std::vector<Bytes> pkts;
};

// Translates one packet (headroom 64) with a fresh Translator.
// gso_size: the packet is a TUN super-packet cut into segments of that size later.
Run translate(const xlat::TranslatorConfig& cfg, const Bytes& pkt,
              xlat::DynamicPool* pool = nullptr, uint16_t gso_size = 0);
// The same through a Translator the caller keeps (its state, like the Identification
// generator, carries from one packet to the next).
Run translate_with(xlat::Translator& t, const Bytes& pkt, uint16_t gso_size = 0);

}  // namespace testpkt
