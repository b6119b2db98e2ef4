// RFC 7915 §5: IPv6 → IPv4. Internal to the core; translate_6to4.cpp walks the outer
// header, icmp_6to4.cpp the ICMPv6 message and the packet inside an ICMPv6 error.
#pragma once

#include "translate_common.hpp"

namespace xlat {

struct Translate6to4 {
  Translator& t;
  Output& out;
  const TranslatorConfig& cfg;

  Translate6to4(Translator& tr, Output& o) : t(tr), out(o), cfg(tr.cfg_) {}

  // The input's offload state, carried into a hairpin pass.
  bool csum_partial = false;
  uint16_t gso_size = 0;

  void run(Packet in);

  // RFC 7915 §5.1 "Time to Live: Hop Limit value copied from the IPv6 header. Since the
  // translator is a router, as part of forwarding the packet it needs to decrement [it]
  // and generate an ICMPv6 Time Exceeded error message if the result is zero": the check
  // and the decrement, in one place; false when the packet must not be forwarded.
  bool take_hop(uint8_t hop_limit) {
    if (hop_limit <= 1) return false;
    out_ttl = static_cast<uint8_t>(hop_limit - 1);
    return true;
  }
  // The outgoing header's TTL, set by take_hop.
  uint8_t out_ttl = 0;

  void drop(DropReason r) { detail::set_drop(t.counters_, out, r); }
  // Drop `pkt` and answer its source with an ICMPv6 error, unless RFC 4443 §2.4(e)
  // forbids it (the packet is an ICMPv6 error).
  void reply_error(const uint8_t* pkt, uint32_t len, uint8_t type, uint8_t code, uint32_t rest,
                   DropReason why);
  void emit(uint8_t* data, uint32_t len) { out.pkts[out.count++] = Slice{data, len}; }
  // Sends the translated IPv4 packet on, or back through 4→6 when its destination is an
  // IPv6 host behind this translator (RFC 7757 §4.2 hairpinning). `headroom` is the
  // writable space in front of pkt.
  void forward(uint8_t* pkt, uint32_t len, bool hairpin, uint32_t headroom);
  // RFC 7757 §4.2: the destination is in the RFC 6052 prefix and its IPv4 address is an
  // EAM or dynamic-pool address, i.e. another IPv6 node behind this translator.
  bool is_hairpin(const detail::Ipv6Fields& f, Ipv4Addr dst4) const {
    return t.map_.in_prefix6(f.dst) && t.map_.is_mapped4(dst4);
  }

  // RFC 7915 §5.1: the IPv4 header for an IPv6 header (outer and inner alike).
  void write_ipv4_header(const detail::Ipv6Fields& f, Ipv4Addr src, Ipv4Addr dst, uint8_t ttl,
                         uint32_t total_length, uint8_t* o);

  // RFC 7915 §5.2 / §5.3 (icmp_6to4.cpp).
  DropReason icmp_info(uint8_t* icmp, uint32_t len, const detail::Ipv6Fields& f);
  void icmp_error(const uint8_t* pkt, uint32_t len, const detail::Ipv6Fields& f, Ipv4Addr src4,
                  Ipv4Addr dst4);
  uint32_t translate_inner(const uint8_t* in, uint32_t len, uint8_t* o, uint32_t room,
                           DropReason& why);
  void to_self(Packet in, const detail::Ipv6Fields& f);
};

}  // namespace xlat
