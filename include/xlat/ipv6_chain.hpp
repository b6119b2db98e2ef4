// The IPv6 extension header chain (RFC 8200 §4): where the upper-layer header starts.
//
// The one walk of the chain in the project: the translator's parser, the offload code,
// packet summaries, tools and test helpers all ask it. It reads Hop-by-Hop, Routing,
// Destination Options and Fragment headers; past a non-first fragment's Fragment Header
// the bytes are payload, not headers.
#pragma once

#include <cstdint>

#include "xlat/headers.hpp"

namespace xlat {

struct Ipv6Chain {
  uint8_t protocol = 0;          // Next Header after HBH / DestOpt / Routing / Fragment
  uint32_t l4_offset = 0;        // from the start of the IPv6 header
  uint32_t next_header_ptr = 6;  // offset of the byte that names `protocol`
  bool has_frag = false;
  uint32_t frag_offset = 0;  // bytes
  bool frag_more = false;
  uint32_t frag_id = 0;
  uint32_t segments_left_ptr = 0;  // offset of a non-zero Segments Left field, or 0

  bool first_fragment() const { return !has_frag || frag_offset == 0; }
  bool is_fragment() const { return has_frag && (frag_offset != 0 || frag_more); }
};

enum class ChainStatus : uint8_t {
  Ok,
  Truncated,         // a header runs past `len`
  ExtAfterFragment,  // an extension header follows the Fragment Header (RFC 7915 §5.1.1)
};

// Walks the chain of the IPv6 packet at p (len bytes, len >= 40).
inline ChainStatus walk_ipv6_chain(const uint8_t* p, uint32_t len, Ipv6Chain& c) {
  c = Ipv6Chain{};
  uint8_t nh = p[6];
  uint32_t off = kIpv6HeaderLen;
  for (;;) {
    const bool ext = nh == proto::kHopByHop || nh == proto::kDestOpts ||
                     nh == proto::kRouting || nh == proto::kFragment;
    if (!ext) break;
    if (c.has_frag) {
      if (c.frag_offset != 0) break;
      return ChainStatus::ExtAfterFragment;
    }
    if (nh == proto::kFragment) {
      if (off + kFragHeaderLen > len) return ChainStatus::Truncated;
      FragmentHeader fh{const_cast<uint8_t*>(p + off)};
      c.has_frag = true;
      c.frag_offset = fh.offset();
      c.frag_more = fh.more();
      c.frag_id = fh.id();
      c.next_header_ptr = off;
      nh = fh.next_header();
      off += kFragHeaderLen;
      continue;
    }
    if (off + 8 > len) return ChainStatus::Truncated;
    const uint32_t hlen = (uint32_t{p[off + 1]} + 1) * 8;
    if (off + hlen > len) return ChainStatus::Truncated;
    // RFC 7915 §5.1: a Routing header with Segments Left non-zero is not translated.
    if (nh == proto::kRouting && p[off + 3] != 0 && c.segments_left_ptr == 0) {
      c.segments_left_ptr = off + 3;
    }
    c.next_header_ptr = off;
    nh = p[off];
    off += hlen;
  }
  c.protocol = nh;
  c.l4_offset = off;
  return ChainStatus::Ok;
}

// Where the transport header of an IPv4 or IPv6 packet starts (the IPv4 header length,
// or the end of the IPv6 chain) and its protocol; false when the packet is neither or
// its headers run past `len`.
inline bool transport_header(const uint8_t* p, uint32_t len, uint32_t& offset, uint8_t& protocol) {
  if (len >= kIpv4HeaderLen && (p[0] >> 4) == 4) {
    offset = (p[0] & 0xfu) * 4u;
    protocol = p[9];
    return offset >= kIpv4HeaderLen && offset <= len;
  }
  if (len < kIpv6HeaderLen || (p[0] >> 4) != 6) return false;
  Ipv6Chain c;
  if (walk_ipv6_chain(p, len, c) == ChainStatus::Truncated) return false;
  offset = c.l4_offset;
  protocol = c.protocol;
  return true;
}

}  // namespace xlat
