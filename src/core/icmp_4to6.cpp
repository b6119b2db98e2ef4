// RFC 7915 §4.2 (ICMPv4 → ICMPv6) and §4.3 (the IPv4 packet inside an ICMPv4 error).
#include "translate_4to6.hpp"

namespace xlat {

using namespace detail;

namespace {

// RFC 7915 §4.2, Parameter Problem: "Translate the Pointer as described in Figure 3"
// (IPv4 header byte → IPv6 header byte); -1 means "n/a": drop.
int map_pointer_4to6(uint8_t ptr) {
  switch (ptr) {
    case 0: return 0;             // Version/IHL → Version/Traffic Class
    case 1: return 1;             // Type Of Service → Traffic Class
    case 2: case 3: return 4;     // Total Length → Payload Length
    case 8: return 7;             // Time to Live → Hop Limit
    case 9: return 6;             // Protocol → Next Header
    case 12: case 13: case 14: case 15: return 8;   // Source Address
    case 16: case 17: case 18: case 19: return 24;  // Destination Address
    default: return -1;           // Identification, Flags/Offset, Checksum: n/a
  }
}

}  // namespace

DropReason Translate4to6::icmp_info(uint8_t* icmp, uint32_t len, const Ipv6Addr& src6,
                                    const Ipv6Addr& dst6) {
  if (len < kIcmpHeaderLen) return DropReason::IcmpTruncated;
  IcmpHeader h{icmp};
  uint8_t type6;
  // RFC 7915 §4.2: "Echo and Echo Reply (Type 8 and Type 0): Adjust the Type values to
  // 128 and 129, respectively, and adjust the ICMP checksum both to take the type change
  // into account and to include the ICMPv6 pseudo-header." Every other informational
  // message (timestamps, address masks, router discovery ...) is silently dropped.
  switch (h.type()) {
    case icmp4::kEchoRequest: type6 = icmp6::kEchoRequest; break;
    case icmp4::kEchoReply: type6 = icmp6::kEchoReply; break;
    default: return DropReason::Icmp4Untranslatable;
  }
  uint16_t removed = h.type_code();
  h.set_type_code(type6, h.code());
  uint16_t added = csum_fold(icmp6_pseudo(src6, dst6, len) + h.type_code());
  h.set_checksum(csum_update(h.checksum(), removed, added));
  return DropReason::None;
}

uint32_t Translate4to6::translate_inner(const uint8_t* in, uint32_t len, uint8_t* o,
                                        uint32_t room, DropReason& why) {
  why = DropReason::IcmpInnerMalformed;
  if (len < kIpv4HeaderLen || (in[0] >> 4) != 4) return 0;
  const Ipv4Fields f = Ipv4Fields::read(in);
  if (f.ihl < kIpv4HeaderLen || f.ihl > len) return 0;

  // RFC 7915 §4.3: "the translator MUST translate the IP header of the packet inside the
  // ICMP error, with the same address mapping" (its TTL is not decremented).
  const bool first = f.frag_offset == 0;
  const uint32_t avail = len - f.ihl;
  const uint8_t* l4in = in + f.ihl;
  const TransportIds ids = t.map_.ids_of(f.protocol, l4in, avail, first);
  Ipv6Addr src6, dst6;
  // The inner packet travels the other way: its destination is the outer source.
  if (t.map_.to6(source_endpoint(f.src, ids), src6) != MapStatus::Ok ||
      map_source(destination_endpoint(f.dst, ids), dst6) != MapStatus::Ok) {
    why = DropReason::IcmpInnerUnmapped;
    return 0;
  }
  // "If the ICMP error contains an ICMP error [...] the packet MUST be dropped"
  if (f.protocol == proto::kIcmp && first && avail >= 1 && icmp4::is_error(l4in[0])) {
    why = DropReason::IcmpErrorInError;
    return 0;
  }
  // The Protocol field is translated by the outer packet's rule (§4.1).
  if (ipv6_only_protocol(f.protocol)) {
    why = DropReason::Ipv4ProtocolIpv6Only;
    return 0;
  }

  const bool frag = f.is_fragment();
  const uint32_t hdr = kIpv6HeaderLen + (frag ? kFragHeaderLen : 0);
  if (room < hdr) {
    why = DropReason::NoRoom;
    return 0;
  }
  const uint32_t copy = std::min(avail, room - hdr);
  // Payload Length describes the original packet, not the part quoted here.
  const uint32_t orig_payload = f.total_length >= f.ihl ? f.total_length - f.ihl : avail;
  write_ipv6_header(f, src6, dst6, f.ttl, frag, f.frag_offset, f.mf, orig_payload, o);
  uint8_t* l4 = o + hdr;
  std::memcpy(l4, l4in, copy);

  if (first) {
    if (f.protocol == proto::kIcmp) {
      if (copy >= 4 && (l4[0] == icmp4::kEchoRequest || l4[0] == icmp4::kEchoReply)) {
        IcmpHeader h{l4};
        uint16_t removed = h.type_code();
        h.set_type_code(l4[0] == icmp4::kEchoRequest ? icmp6::kEchoRequest : icmp6::kEchoReply,
                        h.code());
        uint16_t added = csum_fold(icmp6_pseudo(src6, dst6, orig_payload) + h.type_code());
        h.set_checksum(csum_update(h.checksum(), removed, added));
      }
    } else {
      adjust_l4_checksum(f.protocol, l4, copy, csum_fold(pseudo_addrs4(f.src, f.dst)),
                         csum_fold(pseudo_addrs6(src6, dst6)));
    }
  }
  why = DropReason::None;
  return hdr + copy;
}

void Translate4to6::icmp_error(const uint8_t* pkt, const Ipv4Fields& f, const Ipv6Addr& src6,
                               const Ipv6Addr& dst6) {
  const uint8_t* icmp = pkt + f.ihl;
  const uint32_t icmp_len = f.total_length - f.ihl;
  if (icmp_len < kIcmpHeaderLen) return drop(DropReason::IcmpTruncated);
  // The checksum is recomputed from scratch below, so a corrupt error must not come out
  // looking valid.
  if (csum_fold(csum_add_bytes(icmp, icmp_len)) != 0xffff) {
    return drop(DropReason::IcmpErrorBadChecksum);
  }
  const uint8_t type = icmp[0];
  const uint8_t code = icmp[1];
  const uint8_t* inner = icmp + kIcmpHeaderLen;
  const uint32_t inner_len = icmp_len - kIcmpHeaderLen;

  uint8_t type6 = 0, code6 = 0;
  uint32_t rest6 = 0;
  bool length_field = false;  // RFC 4884 length survives translation
  switch (type) {
    case icmp4::kDestUnreach:
      length_field = true;
      switch (code) {
        // "Code 0, 1 (Net Unreachable, Host Unreachable): Set the Type to 1 and the Code
        // to 0 (No route to destination)." Codes 5-8, 11, 12 likewise.
        case 0: case 1: case 5: case 6: case 7: case 8: case 11: case 12:
          type6 = icmp6::kDestUnreach;
          code6 = 0;
          break;
        // "Code 2 (Protocol Unreachable): Translate to an ICMPv6 Parameter Problem (Type
        // 4, Code 1) and make the Pointer point to the IPv6 Next Header field (6)."
        case 2:
          type6 = icmp6::kParamProblem;
          code6 = 1;
          rest6 = 6;
          length_field = false;
          break;
        // "Code 3 (Port Unreachable): Set the Type to 1 and the Code to 4".
        case 3:
          type6 = icmp6::kDestUnreach;
          code6 = 4;
          break;
        // "Code 4 (Fragmentation Needed and DF was Set): Translate to an ICMPv6 Packet Too
        // Big message (Type 2) with Code set to 0. The MTU field MUST be adjusted for the
        // difference between the IPv4 and IPv6 header sizes, i.e.,
        // minimum(advertised MTU+20, MTU_of_IPv6_nexthop, (MTU_of_IPv4_nexthop)+20).
        // Note that if the IPv4 router set the MTU field to zero [...] the translator MUST
        // use the plateau values specified in [RFC1191]".
        case 4: {
          type6 = icmp6::kPacketTooBig;
          code6 = 0;
          length_field = false;
          uint32_t mtu = load16(icmp + 6);
          if (mtu == 0) {
            uint32_t inner_total = inner_len >= 4 ? load16(inner + 2) : 0;
            mtu = rfc1191_plateau_below(inner_total);
          }
          mtu = std::min({mtu + 20, cfg.mtu6, cfg.mtu4 + 20});
          // An IPv6 link never has an MTU below 1280 (RFC 8200 §5).
          rest6 = std::max<uint32_t>(mtu, 1280);
          break;
        }
        // "Code 9, 10 (Communication with Destination Host Administratively Prohibited):
        // Set the Type to 1 and the Code to 1". Codes 13 and 15 likewise.
        case 9: case 10: case 13: case 15:
          type6 = icmp6::kDestUnreach;
          code6 = 1;
          break;
        // "Code 14 (Host Precedence Violation): Silently drop." Unknown codes too.
        default:
          return drop(DropReason::Icmp4Untranslatable);
      }
      break;
    // "Time Exceeded (Type 11): Set the Type to 3, and adjust the ICMP checksum [...]. The
    // Code is unchanged."
    case icmp4::kTimeExceeded:
      type6 = icmp6::kTimeExceeded;
      code6 = code;
      length_field = true;
      break;
    // "Parameter Problem (Type 12): Set the Type to 4, and adjust the ICMP checksum [...].
    // Code 0 (Pointer indicates the error) and Code 2 (Bad length): Set the Code to 0 and
    // translate the Pointer [...]. Code 1 (Missing a required option): Silently drop."
    case icmp4::kParamProblem: {
      if (code != 0 && code != 2) return drop(DropReason::Icmp4Untranslatable);
      int ptr = map_pointer_4to6(icmp[4]);
      if (ptr < 0) return drop(DropReason::Icmp4Untranslatable);
      type6 = icmp6::kParamProblem;
      code6 = 0;
      rest6 = static_cast<uint32_t>(ptr);
      break;
    }
    default:
      // Source Quench, Redirect and the rest are "Single-hop or obsolete: drop".
      return drop(DropReason::Icmp4Untranslatable);
  }

  // RFC 4884 length: octet 5, in 32-bit words.
  uint32_t datagram_len;
  const uint32_t ext_len = rfc4884_split(length_field, icmp[5], 4, inner_len, datagram_len);

  uint8_t* o = out.scratch.data();
  uint8_t* icmp6 = o + kIpv6HeaderLen;
  uint8_t* inner6 = icmp6 + kIcmpHeaderLen;
  const uint32_t room = kIcmp6ErrorMax - kIpv6HeaderLen - kIcmpHeaderLen;
  DropReason why;
  uint32_t n = translate_inner(inner, datagram_len, inner6, room, why);
  if (n == 0) return drop(why);

  const uint8_t length6 =
      fit_icmp_extension(inner6, n, inner + datagram_len, ext_len, room, 8);

  const uint32_t payload = kIcmpHeaderLen + n;
  write_ipv6_header(f, src6, dst6, out_hop_limit, false, 0, false, payload, o);
  IcmpHeader h{icmp6};
  h.set_type_code(type6, code6);
  h.set_checksum(0);
  h.set_rest(rest6);
  if (length6 != 0) icmp6[4] = length6;
  h.set_checksum(csum_finish(csum_add_bytes(icmp6, payload, icmp6_pseudo(src6, dst6, payload))));

  t.counters_.translated_4to6++;
  out.verdict = Verdict::Forward;
  emit(o, kIpv6HeaderLen + payload);
}

void Translate4to6::to_self(Packet in, const Ipv4Fields& f) {
  uint8_t* p = in.data;
  uint8_t* icmp = p + f.ihl;
  uint32_t icmp_len = f.total_length - f.ihl;
  // TAYGA's answer for anything but ICMP to its own address: Protocol Unreachable.
  if (f.protocol != proto::kIcmp) {
    return reply_error(p, f.total_length, icmp4::kDestUnreach, 2, 0, DropReason::ToSelf);
  }
  if (f.is_fragment() || icmp_len < kIcmpHeaderLen || icmp[0] != icmp4::kEchoRequest) {
    return drop(DropReason::ToSelf);
  }
  // RFC 792: an echo reply is the request with the addresses swapped and type 0.
  IcmpHeader h{icmp};
  uint16_t removed = h.type_code();
  h.set_type_code(icmp4::kEchoReply, h.code());
  h.set_checksum(csum_update(h.checksum(), removed, h.type_code()));
  Ipv4Header ip{p};
  ip.set_src(f.dst);
  ip.set_dst(f.src);
  ip.set_ttl(kGeneratedTtl);
  ip.set_checksum(0);
  ip.set_checksum(csum_finish(csum_add_bytes(p, f.ihl)));
  t.counters_.echo_replies_sent++;
  out.verdict = Verdict::Reply;
  emit(p, f.total_length);
}

}  // namespace xlat
