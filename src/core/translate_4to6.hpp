// RFC 7915 §4: IPv4 → IPv6. Internal to the core; translate_4to6.cpp walks the outer
// header, icmp_4to6.cpp the ICMP message and the packet inside an ICMP error.
#pragma once

#include "translate_common.hpp"

namespace xlat {

struct Translate4to6 {
  Translator& t;
  Output& out;
  const TranslatorConfig& cfg;

  // RFC 7757 §4.2 hairpinning: the packet is the IPv4 result of a 6→4 translation whose
  // destination is another IPv6 host behind this translator (set by Translate6to4).
  bool hairpin = false;
  // RFC 7915 §4.1 Hop Limit of the outgoing header, set by take_hop.
  uint8_t out_hop_limit = 0;

  Translate4to6(Translator& tr, Output& o) : t(tr), out(o), cfg(tr.cfg_) {}

  void run(Packet in);

  // RFC 7915 §4.1 "the translator MUST decrement the TTL [...] If the TTL is zero, drop
  // the packet and send an ICMPv4 Time Exceeded": the check and the decrement, in one
  // place; false when the packet must not be forwarded. A hairpinned packet was already
  // decremented on its way in, and keeps its TTL.
  bool take_hop(uint8_t ttl) {
    if (hairpin) {
      out_hop_limit = ttl;
      return true;
    }
    if (ttl <= 1) return false;
    out_hop_limit = static_cast<uint8_t>(ttl - 1);
    return true;
  }

  // --- outcome helpers ---
  void drop(DropReason r) { detail::set_drop(t.counters_, out, r); }
  // Drop `pkt` and answer its source with an ICMPv4 error, unless RFC 1812 §4.3.2.7
  // forbids it (the packet is an ICMP error or a non-first fragment).
  void reply_error(const uint8_t* pkt, uint32_t len, uint8_t type, uint8_t code, uint32_t rest,
                   DropReason why);
  void emit(uint8_t* data, uint32_t len);

  // --- RFC 7915 §4.1: the IPv6 header for an IPv4 header (outer and inner alike) ---
  static uint32_t write_ipv6_header(const detail::Ipv4Fields& f, const Ipv6Addr& src,
                                    const Ipv6Addr& dst, uint8_t hop_limit, bool frag_header,
                                    uint32_t frag_offset, bool more, uint32_t payload_len,
                                    uint8_t* o);

  // --- RFC 7915 §4.2 / §4.3 (icmp_4to6.cpp) ---
  // Echo request / reply, rewritten in place; false with a drop reason otherwise.
  DropReason icmp_info(uint8_t* icmp, uint32_t len, const Ipv6Addr& src6, const Ipv6Addr& dst6);
  // An ICMPv4 error: the whole IPv6 packet is built in scratch.
  void icmp_error(const uint8_t* pkt, const detail::Ipv4Fields& f, const Ipv6Addr& src6,
                  const Ipv6Addr& dst6);
  // The packet inside an ICMP error, translated by the same rules (TTL kept). Writes at
  // o (room bytes); returns bytes written or 0 with `why` set.
  uint32_t translate_inner(const uint8_t* in, uint32_t len, uint8_t* o, uint32_t room,
                           DropReason& why);

  // Source address of the outer packet (and destination of the inner one): RFC 7757
  // §4.2 maps it with the RFC 6052 prefix when hairpinning, so replies come back
  // through the translator; otherwise the ordinary lookup order.
  MapStatus map_source(const Endpoint4& e, Ipv6Addr& out6) const;

  // Answers an echo request to the translator's own IPv4 address.
  void to_self(Packet in, const detail::Ipv4Fields& f);
};

}  // namespace xlat
