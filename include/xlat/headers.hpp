// Typed views over packet headers, with byte-order accessors.
//
// A view is a pointer to the first byte of a header; it never owns or copies. Callers
// check lengths before building a view (the translator does, once per header).
#pragma once

#include <cstdint>
#include <cstring>

#include "xlat/addr.hpp"
#include "xlat/bytes.hpp"

namespace xlat {

namespace proto {
inline constexpr uint8_t kHopByHop = 0;
inline constexpr uint8_t kIcmp = 1;
inline constexpr uint8_t kTcp = 6;
inline constexpr uint8_t kUdp = 17;
inline constexpr uint8_t kRouting = 43;
inline constexpr uint8_t kFragment = 44;
inline constexpr uint8_t kEsp = 50;
inline constexpr uint8_t kIcmpv6 = 58;
inline constexpr uint8_t kNoNext = 59;
inline constexpr uint8_t kDestOpts = 60;
}  // namespace proto

inline constexpr unsigned kIpv4HeaderLen = 20;
inline constexpr unsigned kIpv6HeaderLen = 40;
inline constexpr unsigned kFragHeaderLen = 8;
inline constexpr unsigned kIcmpHeaderLen = 8;
inline constexpr unsigned kUdpHeaderLen = 8;
inline constexpr unsigned kTcpMinHeaderLen = 20;

// RFC 791 §3.1.
struct Ipv4Header {
  uint8_t* p;

  uint8_t version() const { return p[0] >> 4; }
  unsigned ihl_bytes() const { return (p[0] & 0x0f) * 4u; }
  uint8_t tos() const { return p[1]; }
  uint16_t total_length() const { return load16(p + 2); }
  uint16_t id() const { return load16(p + 4); }
  bool df() const { return p[6] & 0x40; }
  bool mf() const { return p[6] & 0x20; }
  // Fragment offset in bytes.
  uint32_t frag_offset() const { return (load16(p + 6) & 0x1fffu) * 8u; }
  bool is_fragment() const { return mf() || frag_offset() != 0; }
  uint8_t ttl() const { return p[8]; }
  uint8_t protocol() const { return p[9]; }
  uint16_t checksum() const { return load16(p + 10); }
  Ipv4Addr src() const { return load32(p + 12); }
  Ipv4Addr dst() const { return load32(p + 16); }

  void set_version_ihl(unsigned ihl_bytes) { p[0] = static_cast<uint8_t>(0x40 | (ihl_bytes / 4)); }
  void set_tos(uint8_t v) { p[1] = v; }
  void set_total_length(uint16_t v) { store16(p + 2, v); }
  void set_id(uint16_t v) { store16(p + 4, v); }
  // Flags and offset together: offset in bytes (a multiple of 8).
  void set_flags_offset(bool df, bool mf, uint32_t offset_bytes) {
    store16(p + 6, static_cast<uint16_t>((df ? 0x4000 : 0) | (mf ? 0x2000 : 0) |
                                         ((offset_bytes / 8) & 0x1fff)));
  }
  void set_ttl(uint8_t v) { p[8] = v; }
  void set_protocol(uint8_t v) { p[9] = v; }
  void set_checksum(uint16_t v) { store16(p + 10, v); }
  void set_src(Ipv4Addr a) { store32(p + 12, a); }
  void set_dst(Ipv4Addr a) { store32(p + 16, a); }
};

// RFC 8200 §3.
struct Ipv6Header {
  uint8_t* p;

  uint8_t version() const { return p[0] >> 4; }
  uint8_t traffic_class() const { return static_cast<uint8_t>((p[0] << 4) | (p[1] >> 4)); }
  uint16_t payload_length() const { return load16(p + 4); }
  uint8_t next_header() const { return p[6]; }
  uint8_t hop_limit() const { return p[7]; }
  Ipv6Addr src() const { Ipv6Addr a; std::memcpy(a.b.data(), p + 8, 16); return a; }
  Ipv6Addr dst() const { Ipv6Addr a; std::memcpy(a.b.data(), p + 24, 16); return a; }
  const uint8_t* src_bytes() const { return p + 8; }
  const uint8_t* dst_bytes() const { return p + 24; }

  // Version 6, the given traffic class, flow label 0.
  void set_version_tc_flow(uint8_t tc) {
    p[0] = static_cast<uint8_t>(0x60 | (tc >> 4));
    p[1] = static_cast<uint8_t>(tc << 4);
    p[2] = 0;
    p[3] = 0;
  }
  void set_payload_length(uint16_t v) { store16(p + 4, v); }
  void set_next_header(uint8_t v) { p[6] = v; }
  void set_hop_limit(uint8_t v) { p[7] = v; }
  void set_src(const Ipv6Addr& a) { std::memcpy(p + 8, a.b.data(), 16); }
  void set_dst(const Ipv6Addr& a) { std::memcpy(p + 24, a.b.data(), 16); }
};

// RFC 8200 §4.5.
struct FragmentHeader {
  uint8_t* p;

  uint8_t next_header() const { return p[0]; }
  uint32_t offset() const { return load16(p + 2) & 0xfff8u; }  // bytes
  bool more() const { return p[3] & 1; }
  uint32_t id() const { return load32(p + 4); }

  void set(uint8_t next_header, uint32_t offset_bytes, bool more, uint32_t id) {
    p[0] = next_header;
    p[1] = 0;
    store16(p + 2, static_cast<uint16_t>((offset_bytes & 0xfff8u) | (more ? 1 : 0)));
    store32(p + 4, id);
  }
};

// ICMPv4 (RFC 792) and ICMPv6 (RFC 4443) share this first word layout.
struct IcmpHeader {
  uint8_t* p;

  uint8_t type() const { return p[0]; }
  uint8_t code() const { return p[1]; }
  uint16_t checksum() const { return load16(p + 2); }
  uint16_t type_code() const { return load16(p); }
  uint32_t rest() const { return load32(p + 4); }

  void set_type_code(uint8_t t, uint8_t c) { p[0] = t; p[1] = c; }
  void set_checksum(uint16_t v) { store16(p + 2, v); }
  void set_rest(uint32_t v) { store32(p + 4, v); }
};

namespace icmp4 {
inline constexpr uint8_t kEchoReply = 0;
inline constexpr uint8_t kDestUnreach = 3;
inline constexpr uint8_t kSourceQuench = 4;
inline constexpr uint8_t kRedirect = 5;
inline constexpr uint8_t kEchoRequest = 8;
inline constexpr uint8_t kTimeExceeded = 11;
inline constexpr uint8_t kParamProblem = 12;

// RFC 1812 §4.3.2.7: errors are never sent about these.
inline bool is_error(uint8_t type) {
  return type == kDestUnreach || type == kSourceQuench || type == kRedirect ||
         type == kTimeExceeded || type == kParamProblem;
}
}  // namespace icmp4

namespace icmp6 {
inline constexpr uint8_t kDestUnreach = 1;
inline constexpr uint8_t kPacketTooBig = 2;
inline constexpr uint8_t kTimeExceeded = 3;
inline constexpr uint8_t kParamProblem = 4;
inline constexpr uint8_t kEchoRequest = 128;
inline constexpr uint8_t kEchoReply = 129;

// RFC 4443 §2.1: types 0-127 are errors.
inline bool is_error(uint8_t type) { return type < 128; }
}  // namespace icmp6

// Checksum field offset inside the transport header, or 0 when the protocol has none
// that covers a pseudo-header this translator must adjust.
inline unsigned l4_checksum_offset(uint8_t protocol) {
  switch (protocol) {
    case proto::kTcp: return 16;
    case proto::kUdp: return 6;
    default: return 0;
  }
}

}  // namespace xlat
