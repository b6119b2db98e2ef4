// RFC 7915 §4.1: translating the IPv4 header into an IPv6 header, field by field, and
// the checks that decide whether a packet is translated at all.
#include "translate_4to6.hpp"

#include "icmp_errors.hpp"
#include "xlat/rfc6052.hpp"

namespace xlat {

using namespace detail;

namespace {

// RFC 7915 §4.1: "If a source route option is present [...] and the pointer has not
// reached the end of the route, the packet MUST be dropped". LSRR = 131, SSRR = 137.
bool has_unexpired_source_route(const uint8_t* opt, uint32_t len) {
  uint32_t i = 0;
  while (i < len) {
    uint8_t type = opt[i];
    if (type == 0) break;          // End of Option List
    if (type == 1) { ++i; continue; }  // No Operation
    if (i + 1 >= len) break;
    uint8_t olen = opt[i + 1];
    if (olen < 2 || i + olen > len) break;
    if ((type == 131 || type == 137) && olen >= 3 && opt[i + 2] <= olen) return true;
    i += olen;
  }
  return false;
}

}  // namespace

MapStatus Translate4to6::map_source(const Endpoint4& e, Ipv6Addr& out6) const {
  if (hairpin && t.map_.has_prefix()) {
    out6 = t.map_.embed(e.addr);
    return MapStatus::Ok;
  }
  return t.map_.to6(e, out6);
}

void Translate4to6::emit(uint8_t* data, uint32_t len) {
  out.pkts[out.count++] = Slice{data, len};
}

void Translate4to6::reply_error(const uint8_t* pkt, uint32_t len, uint8_t type, uint8_t code,
                                uint32_t rest, DropReason why) {
  drop(why);
  if (hairpin) return;  // the source is an IPv6 host: Translate6to4 already checked it
  Ipv4Fields f = Ipv4Fields::read(pkt);
  bool is_icmp_error = f.protocol == proto::kIcmp && f.frag_offset == 0 &&
                       len > f.ihl && icmp4::is_error(pkt[f.ihl]);
  if (!cfg.send_icmp_errors || is_icmp_error || f.frag_offset != 0) return;
  if (!t.allow_icmp_error()) return;
  uint32_t n = build_icmp4_error(cfg, t.next_ipv4_id_++, pkt, len, type, code, rest,
                                 out.scratch.data());
  out.verdict = Verdict::Reply;
  out.count = 0;
  emit(out.scratch.data(), n);
  t.counters_.icmp_errors_sent++;
}

uint32_t Translate4to6::write_ipv6_header(const Ipv4Fields& f, const Ipv6Addr& src,
                                          const Ipv6Addr& dst, uint8_t hop_limit,
                                          bool frag_header, uint32_t frag_offset, bool more,
                                          uint32_t payload_len, uint8_t* o) {
  Ipv6Header ip6{o};
  // Version 6; Traffic Class: "By default, copied from the IP Type Of Service (TOS)
  // octet"; Flow Label: "0 (all zero bits)".
  ip6.set_version_tc_flow(f.tos);
  // Payload Length: "Total length value from the IPv4 header, minus the size of the IPv4
  // header and IPv4 options, if present" (plus the Fragment Header we add).
  ip6.set_payload_length(static_cast<uint16_t>(payload_len + (frag_header ? kFragHeaderLen : 0)));
  // Next Header: "For ICMPv4 (1), it is changed to ICMPv6 (58); otherwise, the protocol
  // field MUST be copied from the IPv4 header."
  uint8_t nh = f.protocol == proto::kIcmp ? proto::kIcmpv6 : f.protocol;
  ip6.set_hop_limit(hop_limit);
  ip6.set_src(src);
  ip6.set_dst(dst);
  if (!frag_header) {
    ip6.set_next_header(nh);
    return kIpv6HeaderLen;
  }
  // RFC 7915 §4.1, Fragment Header: Next Header = protocol, Fragment Offset and M copied
  // from the IPv4 header, "Identification: The low-order 16 bits copied from the
  // Identification field in the IPv4 header. The high-order 16 bits set to zero."
  ip6.set_next_header(proto::kFragment);
  FragmentHeader fh{o + kIpv6HeaderLen};
  fh.set(nh, frag_offset, more, f.id);
  return kIpv6HeaderLen + kFragHeaderLen;
}

void Translate4to6::run(Packet in) {
  uint8_t* p = in.data;
  // Sanity checks a router applies before forwarding (RFC 1812 §5.2.2).
  if (in.len < kIpv4HeaderLen) return drop(DropReason::Ipv4Truncated);
  Ipv4Header ip{p};
  if (ip.version() != 4) return drop(DropReason::Ipv4BadVersion);
  if (ip.ihl_bytes() < kIpv4HeaderLen) return drop(DropReason::Ipv4BadHeaderLength);
  if (ip.ihl_bytes() > in.len) return drop(DropReason::Ipv4Truncated);
  if (ip.total_length() < ip.ihl_bytes() || ip.total_length() > in.len) {
    return drop(DropReason::Ipv4BadTotalLength);
  }
  if (!ipv4_header_checksum_ok(p, ip.ihl_bytes())) {
    return drop(DropReason::Ipv4BadHeaderChecksum);
  }
  const Ipv4Fields f = Ipv4Fields::read(p);
  const uint32_t len = f.total_length;  // bytes past Total Length are link padding
  uint8_t* l4 = p + f.ihl;
  const uint32_t l4len = len - f.ihl;
  const bool first = f.frag_offset == 0;

  const bool is_icmp = f.protocol == proto::kIcmp;
  const bool is_icmp_error = is_icmp && first && l4len >= 1 && icmp4::is_error(l4[0]);

  // RFC 7915 §4.1: "the translator SHOULD silently drop the packet" with an illegal
  // source (e.g. 0.0.0.0, 127.0.0.1) "except [...] the source address of an ICMPv4
  // error message", which is translated.
  // A link-local (169.254/16) address that a map or the dynamic pool names is an ordinary
  // address of this deployment (TAYGA allows such pools): only the prefix refuses it.
  auto reserved = [&](Ipv4Addr a) {
    return ipv4_reserved(a) && !(ipv4_link_local(a) && t.map_.is_mapped4(a));
  };
  const bool reserved_src = reserved(f.src);
  if (reserved_src && !is_icmp_error) return drop(DropReason::Ipv4ReservedSource);
  if (reserved(f.dst)) return drop(DropReason::Ipv4ReservedDest);
  if (f.dst == cfg.own_v4) return to_self(in, f);
  if (ipv6_only_protocol(f.protocol)) return drop(DropReason::Ipv4ProtocolIpv6Only);

  // Hop Limit (RFC 7915 §4.1, RFC 1812): Time Exceeded (Type 11, Code 0) when it expires.
  if (!take_hop(f.ttl)) {
    return reply_error(p, len, icmp4::kTimeExceeded, 0, 0, DropReason::Ipv4TtlExpired);
  }

  // "If a source route option is present [and unexpired] the packet MUST be dropped, and
  // the translator SHOULD send [...] Destination Unreachable, Source Route Failed (Type 3,
  // Code 5)." Other IPv4 options are ignored.
  if (f.ihl > kIpv4HeaderLen && has_unexpired_source_route(p + kIpv4HeaderLen, f.ihl - kIpv4HeaderLen)) {
    return reply_error(p, len, icmp4::kDestUnreach, 5, 0, DropReason::Ipv4SourceRoute);
  }

  // Addresses (RFC 7915 §4.1 "Source Address / Destination Address: mapped [...]"),
  // each with its port (endpoint.hpp).
  const TransportIds ids = t.map_.ids_of(f.protocol, l4, l4len, first);
  Ipv6Addr dst6;
  if (t.map_.to6(destination_endpoint(f.dst, ids), dst6) != MapStatus::Ok) {
    return reply_error(p, len, icmp4::kDestUnreach, 1, 0, DropReason::Ipv4DestUnmapped);
  }
  Ipv6Addr src6;
  if (reserved_src && t.map_.has_prefix()) {
    src6 = t.map_.embed(f.src);
  } else if (reserved_src || map_source(source_endpoint(f.src, ids), src6) != MapStatus::Ok) {
    // RFC 6791 §3: an ICMPv4 error from an address with no IPv6 mapping still goes
    // through, from the configured (or the translator's own) address.
    if (!is_icmp_error) {
      return reply_error(p, len, icmp4::kDestUnreach, 10, 0, DropReason::Ipv4SourceUnmapped);
    }
    src6 = cfg.rfc6791_v6.value_or(cfg.own_v6);
  }

  if (is_icmp) {
    // RFC 7915 §4.2 needs the whole message to translate the checksum.
    if (f.is_fragment()) return drop(DropReason::IcmpFragmented);
    if (is_icmp_error) return icmp_error(p, f, src6, dst6);
  }

  // RFC 7915 §4.1: "If the DF flag is not set and the IPv4 packet will result in an IPv6
  // packet larger than [the lowest IPv6 MTU], the packet MUST be fragmented"; with DF set
  // and too big for the next hop, answer Fragmentation Needed with the usable MTU.
  // A Fragment Header is added only when the IPv4 packet is already a fragment (RFC 8021:
  // no atomic fragments).
  const bool frag_header = f.is_fragment();
  const uint32_t size6 = kIpv6HeaderLen + (frag_header ? kFragHeaderLen : 0) + l4len;
  const uint32_t split_mtu = std::min(cfg.mtu6, cfg.lowest_ipv6_mtu);
  bool split = false;
  // A TUN super-packet (GSO) is cut to segments by the kernel: its size is checked by the
  // IO layer per segment, and it is never fragmented here.
  const bool gso = in.gso_size != 0;
  if (gso && size6 - kIpv6HeaderLen > 0xffff) return drop(DropReason::NoRoom);
  if (!gso && f.df && size6 > cfg.mtu6) {
    uint32_t mtu = cfg.mtu6 - kIpv6HeaderLen + kIpv4HeaderLen;
    return reply_error(p, len, icmp4::kDestUnreach, 4, mtu & 0xffff, DropReason::Ipv4FragNeeded);
  }
  if (!gso && !f.df && size6 > split_mtu) split = true;

  // RFC 7915 §4.5 UDP checksum 0: "the translator SHOULD [...] drop [...] fragmented
  // [ones] and, when not fragmented, drop or calculate [per configuration]". No ICMP
  // error is asked for: `drop` is silent ("and log"), as in TAYGA; `reject` answers
  // 3/13 as Jool does, and so does `calc` for a fragment it cannot compute.
  bool udp_calc = false;
  if (f.protocol == proto::kUdp && first) {
    if (l4len < kUdpHeaderLen) return drop(DropReason::L4Truncated);
    if (load16(l4 + 6) == 0 && !in.csum_partial) {
      const UdpZeroChecksum mode = cfg.udp_zero_checksum;
      if (f.is_fragment() || mode == UdpZeroChecksum::Drop || mode == UdpZeroChecksum::Reject) {
        DropReason why = f.is_fragment() ? DropReason::Ipv4UdpZeroChecksumFragment
                                         : DropReason::Ipv4UdpZeroChecksum;
        if (mode == UdpZeroChecksum::Drop) return drop(why);
        return reply_error(p, len, icmp4::kDestUnreach, 13, 0, why);
      }
      udp_calc = cfg.udp_zero_checksum == UdpZeroChecksum::Calculate;
    }
  }
  if (f.protocol == proto::kTcp && first && !f.is_fragment() && l4len < kTcpMinHeaderLen) {
    return drop(DropReason::L4Truncated);
  }

  // Every check is done: from here on the packet is rewritten.
  if (is_icmp) {
    DropReason r = icmp_info(l4, l4len, src6, dst6);
    if (r != DropReason::None) return drop(r);
  } else if (first) {
    // RFC 7915 §4.5: TCP and UDP checksums MUST be updated for the new pseudo-header.
    uint16_t removed = csum_fold(pseudo_addrs4(f.src, f.dst));
    uint16_t added = csum_fold(pseudo_addrs6(src6, dst6));
    if (in.csum_partial) {
      adjust_partial_checksum(f.protocol, l4, l4len, removed, added);
    } else if (udp_calc) {
      uint64_t sum = pseudo_addrs6(src6, dst6) + l4len + proto::kUdp;
      uint16_t c = csum_finish(csum_add_bytes(l4, l4len, sum));
      store16(l4 + 6, c == 0 ? 0xffff : c);
    } else {
      adjust_l4_checksum(f.protocol, l4, l4len, removed, added);
    }
  }

  t.counters_.translated_4to6++;
  out.verdict = Verdict::Forward;

  if (!split) {
    uint32_t hdr = kIpv6HeaderLen + (frag_header ? kFragHeaderLen : 0);
    uint8_t* start;
    if (in.headroom + f.ihl >= hdr) {
      start = l4 - hdr;  // in place: the IPv6 header ends where the transport starts
    } else {
      if (hdr + l4len > out.scratch.size()) return drop(DropReason::NoRoom);
      start = out.scratch.data();
      std::memmove(start + hdr, l4, l4len);
    }
    write_ipv6_header(f, src6, dst6, out_hop_limit, frag_header, f.frag_offset, f.mf, l4len, start);
    return emit(start, hdr + l4len);
  }

  // Fragmenting: every fragment but the last carries a multiple of 8 bytes.
  const uint32_t chunk = (split_mtu - kIpv6HeaderLen - kFragHeaderLen) & ~7u;
  const uint32_t nfrag = (l4len + chunk - 1) / chunk;
  const uint32_t need = nfrag * (kIpv6HeaderLen + kFragHeaderLen) + l4len;
  if (nfrag > kMaxOutputs || need > out.scratch.size()) return drop(DropReason::NoRoom);
  uint8_t* o = out.scratch.data();
  for (uint32_t done = 0; done < l4len; done += chunk) {
    uint32_t n = std::min(chunk, l4len - done);
    bool more = done + n < l4len || f.mf;
    uint32_t h = write_ipv6_header(f, src6, dst6, out_hop_limit, true, f.frag_offset + done, more, n, o);
    std::memcpy(o + h, l4 + done, n);
    emit(o, h + n);
    o += h + n;
  }
  t.counters_.fragments_made += nfrag;
}

}  // namespace xlat
