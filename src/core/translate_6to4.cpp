// RFC 7915 §5.1: translating the IPv6 header (and its extension headers) into an IPv4
// header, field by field, and the checks that decide whether a packet is translated.
#include "translate_6to4.hpp"

#include "icmp_errors.hpp"
#include "translate_4to6.hpp"

namespace xlat {

using namespace detail;

void Translate6to4::reply_error(const uint8_t* pkt, uint32_t len, uint8_t type, uint8_t code,
                                uint32_t rest, DropReason why) {
  drop(why);
  Ipv6Fields f;
  bool is_icmp_error = false;
  if (parse_ipv6(pkt, len, f) == DropReason::None && f.protocol == proto::kIcmpv6 &&
      f.first_fragment() && f.l4_offset < len) {
    is_icmp_error = icmp6::is_error(pkt[f.l4_offset]);
  }
  if (!cfg.send_icmp_errors || is_icmp_error) return;
  if (!t.allow_icmp_error()) return;
  uint32_t n = build_icmp6_error(cfg, pkt, len, type, code, rest, out.scratch.data());
  out.verdict = Verdict::Reply;
  out.count = 0;
  emit(out.scratch.data(), n);
  t.counters_.icmp_errors_sent++;
}

void Translate6to4::forward(uint8_t* pkt, uint32_t len, bool hairpin,
                            uint32_t headroom) {
  t.counters_.translated_6to4++;
  if (!hairpin) {
    out.verdict = Verdict::Forward;
    return emit(pkt, len);
  }
  // The 4→6 pass builds ICMP errors at the start of scratch: move a packet that is
  // itself there out of the way first.
  uint8_t* scratch = out.scratch.data();
  if (pkt >= scratch && pkt < scratch + out.scratch.size()) {
    constexpr uint32_t kHairpinOffset = 4096;
    std::memmove(scratch + kHairpinOffset, pkt, len);
    pkt = scratch + kHairpinOffset;
    headroom = kHairpinOffset - kIcmp6ErrorMax;
  }
  Translate4to6 again(t, out);
  again.hairpin = true;
  out.count = 0;
  again.run(Packet{pkt, len, headroom, csum_partial, gso_size});
}

void Translate6to4::write_ipv4_header(const Ipv6Fields& f, Ipv4Addr src, Ipv4Addr dst,
                                      uint8_t ttl, uint32_t total_length, uint8_t* o) {
  Ipv4Header ip{o};
  // "Version: 4. Internet Header Length: 5 (no IPv4 options)."
  ip.set_version_ihl(kIpv4HeaderLen);
  // "Type of Service (TOS) Octets: By default, copied from the IPv6 Traffic Class (all 8
  // bits)."
  ip.set_tos(f.traffic_class);
  // "Total Length: Payload length value from the IPv6 header, plus the size of the IPv4
  // header" (less the extension headers that are not translated).
  ip.set_total_length(static_cast<uint16_t>(total_length));
  if (f.has_frag) {
    // RFC 7915 §5.1.1: "Identification: Copied from the low-order 16 bits in the
    // Identification field in the Fragment Header. Flags: The IPv4 More Fragments (MF)
    // flag is copied from the M flag [...]. The IPv4 Don't Fragment (DF) flag is cleared
    // (set to zero)", and the offset is copied.
    ip.set_id(static_cast<uint16_t>(f.frag_id));
    ip.set_flags_offset(false, f.frag_more, f.frag_offset);
  } else {
    // "Flags: [...] If the translator [...] the packet is less than or equal to 1260
    // bytes, it SHOULD set DF to 0; otherwise, it SHOULD set DF to 1."
    // "Identification: Set according to a Fragment Identification generator at the
    // translator" — needed only where DF is 0: a DF=1 packet is atomic, and RFC 6864
    // §4.1 lets its Identification be any value. It is 0 there, as in TAYGA; where DF
    // is 0 the generator never gives 0 (TAYGA's contract, which its suite checks).
    const bool df = total_length > 1260;
    uint16_t id = 0;
    if (!df) {
      id = t.next_ipv4_id_++;
      if (id == 0) id = t.next_ipv4_id_++;
    }
    ip.set_id(id);
    ip.set_flags_offset(df, false, 0);
  }
  // "Time to Live: Hop Limit value copied from the IPv6 header" (decremented by the
  // caller for the outer header; the inner packet of an ICMP error keeps it).
  ip.set_ttl(ttl);
  // "Protocol: The Next Header field of the last extension header [...] ICMPv6 (58) is
  // changed to ICMPv4 (1)".
  ip.set_protocol(f.protocol == proto::kIcmpv6 ? proto::kIcmp : f.protocol);
  ip.set_src(src);
  ip.set_dst(dst);
  // "Header Checksum: Computed once the IPv4 header has been created."
  ip.set_checksum(0);
  ip.set_checksum(csum_finish(csum_add_bytes(o, kIpv4HeaderLen)));
}

void Translate6to4::run(Packet in) {
  uint8_t* p = in.data;
  csum_partial = in.csum_partial;
  gso_size = in.gso_size;
  if (in.len < kIpv6HeaderLen) return drop(DropReason::Ipv6Truncated);
  if ((p[0] >> 4) != 6) return drop(DropReason::Ipv6BadVersion);
  const uint32_t len = kIpv6HeaderLen + Ipv6Header{p}.payload_length();
  if (len > in.len) return drop(DropReason::Ipv6BadPayloadLength);

  Ipv6Fields f;
  DropReason parsed = parse_ipv6(p, len, f);
  if (parsed == DropReason::Ipv6Truncated) return drop(parsed);
  if (ipv6_reserved(f.src)) return drop(DropReason::Ipv6ReservedSource);
  if (ipv6_reserved(f.dst)) return drop(DropReason::Ipv6ReservedDest);
  // RFC 7915 §5.1.1: "If any extension headers following the Fragment Header [...] the
  // packet SHOULD be dropped and logged" — and answered like any other untranslatable
  // packet (§5.4: Destination Unreachable, administratively prohibited).
  if (parsed == DropReason::Ipv6ExtAfterFragment) {
    return reply_error(p, len, icmp6::kDestUnreach, 1, 0, parsed);
  }
  if (f.dst == cfg.own_v6) return to_self(in, f);

  // Time to Live (RFC 7915 §5.1): Time Exceeded (Type 3, Code 0) when it expires.
  if (!take_hop(f.hop_limit)) {
    return reply_error(p, len, icmp6::kTimeExceeded, 0, 0, DropReason::Ipv6HopLimitExpired);
  }
  // "If a Routing header with a non-zero Segments Left field is present, then the packet
  // MUST NOT be translated, and an ICMPv6 'parameter problem/erroneous header field
  // encountered' (Type 4, Code 0) error message, with the Pointer field indicating the
  // first byte of the Segments Left field, SHOULD be returned to the sender."
  if (f.segments_left_ptr != 0) {
    return reply_error(p, len, icmp6::kParamProblem, 0, f.segments_left_ptr,
                       DropReason::Ipv6SegmentsLeft);
  }

  uint8_t* l4 = p + f.l4_offset;
  const uint32_t l4len = len - f.l4_offset;
  const bool first = f.first_fragment();
  const bool is_icmp = f.protocol == proto::kIcmpv6;
  const bool is_icmp_error = is_icmp && first && l4len >= 1 && icmp6::is_error(l4[0]);

  // "Protocol: [...] ICMPv6 (58) is changed to ICMPv4 (1)": an IPv6 packet never carries
  // ICMPv4, and copying it would pass a message no IPv6 node checked.
  if (first && f.protocol == proto::kIcmp) return drop(DropReason::Ipv6NextHeaderIcmpv4);

  // Addresses (RFC 7915 §5.1), each with its port (endpoint.hpp).
  const TransportIds ids = t.map_.ids_of(f.protocol, l4, l4len, first);
  Ipv4Addr dst4;
  MapStatus dst_status = t.map_.to4(destination_endpoint(f.dst, ids), dst4, false);
  // RFC 6052 §5.1 (and TAYGA): a prefix address embedding 0/8, 127/8, 169.254/16,
  // multicast or broadcast is dropped without an answer.
  if (dst_status == MapStatus::Reserved) return drop(DropReason::Ipv6ReservedDest);
  if (dst_status != MapStatus::Ok) {
    return reply_error(p, len, icmp6::kDestUnreach, 0, 0, DropReason::Ipv6DestUnmapped);
  }
  // RFC 7757 §4.2: a destination in the prefix whose IPv4 address is itself an EAM or
  // pool address belongs to an IPv6 node behind this translator. With hairpinning on,
  // the packet is translated back to IPv6 here; off (TAYGA's way), it is refused, since
  // its IPv4 result would only come back into the TUN.
  const bool hairpin = is_hairpin(f, dst4);
  if (hairpin && !cfg.hairpinning) {
    return reply_error(p, len, icmp6::kDestUnreach, 0, 0, DropReason::Ipv6DestHairpin);
  }
  Ipv4Addr src4;
  MapStatus src_status = t.map_.to4(source_endpoint(f.src, ids), src4, !is_icmp_error);
  if (src_status == MapStatus::Reserved) return drop(DropReason::Ipv6ReservedSource);
  if (src_status != MapStatus::Ok) {
    // RFC 6791 §4: ICMPv6 errors from routers without an IPv4 mapping are translated
    // with a source from the configured pool (or the translator's own address).
    if (is_icmp_error) {
      src4 = cfg.rfc6791_v4.value_or(cfg.own_v4);
    } else if (src_status == MapStatus::Exhausted) {
      return reply_error(p, len, icmp6::kDestUnreach, 5, 0, DropReason::PoolExhausted);
    } else {
      return reply_error(p, len, icmp6::kDestUnreach, 5, 0, DropReason::Ipv6SourceUnmapped);
    }
  }

  if (is_icmp) {
    if (f.is_fragment()) return drop(DropReason::IcmpFragmented);
    if (is_icmp_error) return icmp_error(p, len, f, src4, dst4);
  }

  // RFC 7915 §5.1 (and RFC 4443 §3.2): a packet too big for the IPv4 next hop is answered
  // with Packet Too Big, MTU = IPv4 MTU + 20 but never below 1280.
  const uint32_t total4 = kIpv4HeaderLen + l4len;
  // A TUN super-packet (GSO) is checked per segment by the IO layer.
  if (in.gso_size != 0 && total4 > 0xffff) return drop(DropReason::NoRoom);
  if (in.gso_size == 0 && total4 > cfg.mtu4) {
    uint32_t mtu = std::max<uint32_t>(cfg.mtu4 + 20, 1280);
    return reply_error(p, len, icmp6::kPacketTooBig, 0, mtu, DropReason::Ipv6TooBig);
  }
  if (first && !f.is_fragment()) {
    if ((f.protocol == proto::kUdp && l4len < kUdpHeaderLen) ||
        (f.protocol == proto::kTcp && l4len < kTcpMinHeaderLen)) {
      return drop(DropReason::L4Truncated);
    }
  }

  // RFC 7915 §5.5 does not cover a zero UDP checksum (illegal in IPv6, RFC 8200 §8.1);
  // TAYGA applies udp-cksum-mode in this direction too: drop, forward as 0, or compute
  // it (possible only when the whole datagram is here).
  bool udp_calc = false;
  if (f.protocol == proto::kUdp && first && l4len >= kUdpHeaderLen && !in.csum_partial &&
      load16(l4 + 6) == 0) {
    if (cfg.udp_zero_checksum == UdpZeroChecksum::Drop ||
        cfg.udp_zero_checksum == UdpZeroChecksum::Reject || f.is_fragment()) {
      return drop(DropReason::Ipv6UdpZeroChecksum);
    }
    udp_calc = cfg.udp_zero_checksum == UdpZeroChecksum::Calculate;
  }

  // Every check is done: from here on the packet is rewritten.
  if (is_icmp) {
    DropReason r = icmp_info(l4, l4len, f);
    if (r != DropReason::None) return drop(r);
  } else if (udp_calc) {
    uint64_t sum = pseudo_addrs4(src4, dst4) + l4len + proto::kUdp;
    uint16_t c = csum_finish(csum_add_bytes(l4, l4len, sum));
    store16(l4 + 6, c == 0 ? 0xffff : c);
  } else if (first) {
    // RFC 7915 §5.5: TCP and UDP checksums MUST be updated for the new pseudo-header.
    uint16_t removed = csum_fold(pseudo_addrs6(f.src, f.dst));
    uint16_t added = csum_fold(pseudo_addrs4(src4, dst4));
    if (in.csum_partial) {
      adjust_partial_checksum(f.protocol, l4, l4len, removed, added);
    } else {
      adjust_l4_checksum(f.protocol, l4, l4len, removed, added);
    }
  }

  uint8_t* start = l4 - kIpv4HeaderLen;  // always inside the old IPv6 header
  write_ipv4_header(f, src4, dst4, out_ttl, total4, start);
  forward(start, total4, hairpin, static_cast<uint32_t>(start - p) + in.headroom);
}

}  // namespace xlat
