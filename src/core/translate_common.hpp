// Pieces both translation directions share: parsed header fields, the IPv6 extension
// header walk, pseudo-header sums and the output helpers. Internal to the core.
#pragma once

#include <algorithm>
#include <cstring>

#include "xlat/address_map.hpp"
#include "xlat/checksum.hpp"
#include "xlat/headers.hpp"
#include "xlat/ipv6_chain.hpp"
#include "xlat/translator.hpp"

namespace xlat::detail {

// RFC 1812 §4.3.2.3 / RFC 4443 §2.4(c): errors the translator generates carry as much of
// the offending packet as fits in these totals. RFC 7915 §4.3 / §5.3 use the same caps
// for translated errors.
inline constexpr uint32_t kIcmp4ErrorMax = 576;
inline constexpr uint32_t kIcmp6ErrorMax = 1280;
inline constexpr uint8_t kGeneratedTtl = 64;

// IPv4 header fields, copied out so the header can be overwritten in place.
struct Ipv4Fields {
  unsigned ihl;
  uint16_t total_length;
  uint8_t tos;
  uint16_t id;
  bool df;
  bool mf;
  uint32_t frag_offset;  // bytes
  uint8_t ttl;
  uint8_t protocol;
  Ipv4Addr src;
  Ipv4Addr dst;

  bool is_fragment() const { return mf || frag_offset != 0; }

  static Ipv4Fields read(const uint8_t* p) {
    Ipv4Header h{const_cast<uint8_t*>(p)};
    return {h.ihl_bytes(), h.total_length(), h.tos(), h.id(), h.df(), h.mf(),
            h.frag_offset(), h.ttl(), h.protocol(), h.src(), h.dst()};
  }
};

// An IPv6 header and its extension header chain (RFC 8200 §4), as far as a translator
// needs it.
struct Ipv6Fields : Ipv6Chain {
  uint8_t traffic_class;
  uint16_t payload_length;
  uint8_t hop_limit;
  Ipv6Addr src;
  Ipv6Addr dst;
};

// Reads the IPv6 packet at p (len bytes, len >= 40) and walks its chain.
// Returns None, Ipv6Truncated or Ipv6ExtAfterFragment.
inline DropReason parse_ipv6(const uint8_t* p, uint32_t len, Ipv6Fields& f) {
  Ipv6Header h{const_cast<uint8_t*>(p)};
  f.traffic_class = h.traffic_class();
  f.payload_length = h.payload_length();
  f.hop_limit = h.hop_limit();
  std::memcpy(f.src.b.data(), p + 8, 16);
  std::memcpy(f.dst.b.data(), p + 24, 16);
  switch (walk_ipv6_chain(p, len, f)) {
    case ChainStatus::Ok: return DropReason::None;
    case ChainStatus::Truncated: return DropReason::Ipv6Truncated;
    case ChainStatus::ExtAfterFragment: return DropReason::Ipv6ExtAfterFragment;
  }
  return DropReason::None;
}

// IPv4 Protocol values that only mean something as IPv6 Next Header values (Hop-by-Hop,
// Routing, Fragment, ICMPv6, Destination Options): copied into IPv6 they would be parsed
// as headers that are not there. TAYGA drops them, outer and inner packets alike.
inline bool ipv6_only_protocol(uint8_t p) {
  return p == proto::kHopByHop || p == proto::kRouting || p == proto::kFragment ||
         p == proto::kIcmpv6 || p == proto::kDestOpts;
}

inline uint64_t pseudo_addrs4(Ipv4Addr src, Ipv4Addr dst) {
  return csum_add_ipv4(dst, csum_add_ipv4(src));
}

inline uint64_t pseudo_addrs6(const Ipv6Addr& src, const Ipv6Addr& dst) {
  return csum_add_ipv6(dst, csum_add_ipv6(src));
}

// RFC 7915 §4.5 / §5.5: only the pseudo-header addresses change (length and protocol
// are equal on both sides), so adjust TCP/UDP checksums by the address difference.
// `avail` is how many transport bytes are present (an ICMP error may carry a cut packet).
// Returns false for a UDP checksum of 0, which the caller handles.
// With `partial`, the field holds the (not inverted) pseudo-header sum that the kernel
// completes later (CHECKSUM_PARTIAL): P' = P - old addresses + new addresses.
inline void adjust_partial_checksum(uint8_t protocol, uint8_t* l4, uint32_t avail, uint16_t removed,
                                    uint16_t added) {
  unsigned off = l4_checksum_offset(protocol);
  if (off == 0 || avail < off + 2 || removed == added) return;
  uint16_t p = load16(l4 + off);
  store16(l4 + off, static_cast<uint16_t>(~csum_update(static_cast<uint16_t>(~p), removed, added)));
}

inline bool adjust_l4_checksum(uint8_t protocol, uint8_t* l4, uint32_t avail, uint16_t removed,
                               uint16_t added) {
  unsigned off = l4_checksum_offset(protocol);
  if (off == 0 || avail < off + 2) return true;
  uint16_t old = load16(l4 + off);
  if (protocol == proto::kUdp && old == 0) return false;
  if (removed == added) return true;  // checksum-neutral mapping
  uint16_t now = csum_update(old, removed, added);
  // RFC 768: a computed UDP checksum of 0 is sent as all ones.
  if (protocol == proto::kUdp && now == 0) now = 0xffff;
  store16(l4 + off, now);
  return true;
}

// The ICMPv6 pseudo-header (RFC 8200 §8.1) sum for an upper-layer length.
inline uint64_t icmp6_pseudo(const Ipv6Addr& src, const Ipv6Addr& dst, uint32_t len) {
  return pseudo_addrs6(src, dst) + (len >> 16) + (len & 0xffff) + proto::kIcmpv6;
}

// RFC 1191 §7 plateau table, for an ICMPv4 Fragmentation Needed whose MTU is 0.
inline uint32_t rfc1191_plateau_below(uint32_t total_length) {
  static constexpr uint32_t kPlateaus[] = {65535, 32000, 17914, 8166, 4352, 2002,
                                           1492,  1006,  508,   296,  68};
  for (uint32_t p : kPlateaus) {
    if (p < total_length) return p;
  }
  return 68;
}

// RFC 4884 §4: a non-zero length field (in `unit`-octet words) says where the original
// datagram inside an ICMP error ends and an extension structure begins. Returns the
// extension's length (0 when there is none) and sets datagram_len.
inline uint32_t rfc4884_split(bool has_length_field, uint8_t length, uint32_t unit,
                              uint32_t inner_len, uint32_t& datagram_len) {
  datagram_len = inner_len;
  uint32_t l = uint32_t{length} * unit;
  if (!has_length_field || l == 0 || l > inner_len) return 0;
  datagram_len = l;
  return inner_len - l;
}

// RFC 4884 §4 and RFC 7915 §4.2 / §5.2: fits a translated original datagram (n bytes at
// dgram, already written) and the ICMP extension that followed it into `room` bytes.
// The extension is kept whole if a 128-byte datagram leaves room for it; the datagram is
// then cut to what is left, aligned to `unit` octets (8 for ICMPv6, 4 for ICMPv4) and
// zero-padded to at least 128 octets. Returns the RFC 4884 length (in units, 0 when the
// extension had to go) and sets n to the bytes now used.
inline uint8_t fit_icmp_extension(uint8_t* dgram, uint32_t& n, const uint8_t* ext,
                                  uint32_t ext_len, uint32_t room, uint32_t unit) {
  constexpr uint32_t kMinDatagram = 128;
  if (ext_len == 0 || kMinDatagram + ext_len > room) return 0;
  uint32_t d = std::min(n, room - ext_len) / unit * unit;
  d = std::max(d, kMinDatagram);
  if (d > n) std::memset(dgram + n, 0, d - n);
  std::memmove(dgram + d, ext, ext_len);
  n = d + ext_len;
  return static_cast<uint8_t>(d / unit);
}

inline void set_drop(TranslatorCounters& c, Output& out, DropReason r) {
  out.verdict = Verdict::Drop;
  out.reason = r;
  out.count = 0;
  c.drops[static_cast<unsigned>(r)]++;
}

}  // namespace xlat::detail
