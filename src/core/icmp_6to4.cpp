// RFC 7915 §5.2 (ICMPv6 → ICMPv4) and §5.3 (the IPv6 packet inside an ICMPv6 error).
#include "translate_6to4.hpp"

namespace xlat {

using namespace detail;

namespace {

// RFC 7915 §5.2, Parameter Problem Code 0: "Translate the Pointer as described in
// Figure 6" (IPv6 header byte → IPv4 header byte); -1 means "n/a": drop.
int map_pointer_6to4(uint32_t ptr) {
  if (ptr == 0) return 0;                // Version/Traffic Class → Version/IHL
  if (ptr == 1) return 1;                // Traffic Class/Flow Label → Type Of Service
  if (ptr == 4 || ptr == 5) return 2;    // Payload Length → Total Length
  if (ptr == 6) return 9;                // Next Header → Protocol
  if (ptr == 7) return 8;                // Hop Limit → Time to Live
  if (ptr >= 8 && ptr <= 23) return 12;  // Source Address
  if (ptr >= 24 && ptr <= 39) return 16; // Destination Address
  return -1;                             // Flow Label (2, 3) and beyond: n/a
}

}  // namespace

DropReason Translate6to4::icmp_info(uint8_t* icmp, uint32_t len, const Ipv6Fields& f) {
  if (len < kIcmpHeaderLen) return DropReason::IcmpTruncated;
  IcmpHeader h{icmp};
  uint8_t type4;
  // RFC 7915 §5.2: "Echo Request and Echo Reply (Type 128 and 129): Adjust the Type
  // values to 8 and 0, respectively, and adjust the ICMP checksum both to take the type
  // change into account and to exclude the ICMPv6 pseudo-header." MLD, Neighbor Discovery
  // and unknown informational messages are silently dropped.
  switch (h.type()) {
    case icmp6::kEchoRequest: type4 = icmp4::kEchoRequest; break;
    case icmp6::kEchoReply: type4 = icmp4::kEchoReply; break;
    default: return DropReason::Icmp6Untranslatable;
  }
  uint16_t removed = csum_fold(icmp6_pseudo(f.src, f.dst, len) + h.type_code());
  h.set_type_code(type4, h.code());
  h.set_checksum(csum_update(h.checksum(), removed, h.type_code()));
  return DropReason::None;
}

uint32_t Translate6to4::translate_inner(const uint8_t* in, uint32_t len, uint8_t* o,
                                        uint32_t room, DropReason& why) {
  why = DropReason::IcmpInnerMalformed;
  if (len < kIpv6HeaderLen || (in[0] >> 4) != 6) return 0;
  Ipv6Fields f;
  if (parse_ipv6(in, len, f) != DropReason::None) return 0;

  // RFC 7915 §5.3: the inner IPv6 header is translated like the outer one, with the
  // same mapping, and its Hop Limit is not decremented.
  const bool first = f.first_fragment();
  const uint32_t avail = len - f.l4_offset;
  const uint8_t* l4in = in + f.l4_offset;
  const TransportIds ids = t.map_.ids_of(f.protocol, l4in, avail, first);
  Ipv4Addr src4, dst4;
  if (t.map_.to4(source_endpoint(f.src, ids), src4, false) != MapStatus::Ok ||
      t.map_.to4(destination_endpoint(f.dst, ids), dst4, false) != MapStatus::Ok) {
    why = DropReason::IcmpInnerUnmapped;
    return 0;
  }
  if (f.protocol == proto::kIcmpv6 && first && avail >= 1 && icmp6::is_error(l4in[0])) {
    why = DropReason::IcmpErrorInError;
    return 0;
  }
  // The Next Header is translated by the outer packet's rule (§5.1).
  if (f.protocol == proto::kIcmp) {
    why = DropReason::Ipv6NextHeaderIcmpv4;
    return 0;
  }
  if (room < kIpv4HeaderLen) {
    why = DropReason::NoRoom;
    return 0;
  }
  const uint32_t copy = std::min(avail, room - kIpv4HeaderLen);
  // Total Length describes the original packet, not the part quoted here.
  const uint32_t orig_end = kIpv6HeaderLen + f.payload_length;
  const uint32_t orig_l4 = orig_end >= f.l4_offset ? orig_end - f.l4_offset : avail;
  write_ipv4_header(f, src4, dst4, f.hop_limit, kIpv4HeaderLen + orig_l4, o);
  uint8_t* l4 = o + kIpv4HeaderLen;
  std::memcpy(l4, l4in, copy);

  if (first) {
    if (f.protocol == proto::kIcmpv6) {
      if (copy >= 4 && (l4[0] == icmp6::kEchoRequest || l4[0] == icmp6::kEchoReply)) {
        IcmpHeader h{l4};
        uint16_t removed = csum_fold(icmp6_pseudo(f.src, f.dst, orig_l4) + h.type_code());
        h.set_type_code(l4[0] == icmp6::kEchoRequest ? icmp4::kEchoRequest : icmp4::kEchoReply,
                        h.code());
        h.set_checksum(csum_update(h.checksum(), removed, h.type_code()));
      }
    } else {
      adjust_l4_checksum(f.protocol, l4, copy, csum_fold(pseudo_addrs6(f.src, f.dst)),
                         csum_fold(pseudo_addrs4(src4, dst4)));
    }
  }
  why = DropReason::None;
  return kIpv4HeaderLen + copy;
}

void Translate6to4::icmp_error(const uint8_t* pkt, uint32_t len, const Ipv6Fields& f,
                               Ipv4Addr src4, Ipv4Addr dst4) {
  const uint8_t* icmp = pkt + f.l4_offset;
  const uint32_t icmp_len = len - f.l4_offset;
  if (icmp_len < kIcmpHeaderLen) return drop(DropReason::IcmpTruncated);
  if (csum_fold(csum_add_bytes(icmp, icmp_len, icmp6_pseudo(f.src, f.dst, icmp_len))) != 0xffff) {
    return drop(DropReason::IcmpErrorBadChecksum);
  }
  const uint8_t type = icmp[0];
  const uint8_t code = icmp[1];
  const uint8_t* inner = icmp + kIcmpHeaderLen;
  const uint32_t inner_len = icmp_len - kIcmpHeaderLen;

  uint8_t type4 = 0, code4 = 0;
  uint32_t rest4 = 0;
  bool length_field = false;
  switch (type) {
    case icmp6::kDestUnreach:
      length_field = true;
      type4 = icmp4::kDestUnreach;
      switch (code) {
        // "Code 0 (No route to destination): Set the Code to 1 (Host unreachable)."
        // "Code 2 (Beyond scope of source address): Set the Code to 1". "Code 3 (Address
        // unreachable): Set the Code to 1".
        case 0: case 2: case 3: code4 = 1; break;
        // "Code 1 (Communication with destination administratively prohibited): Set the
        // Code to 10".
        case 1: code4 = 10; break;
        // "Code 4 (Port unreachable): Set the Code to 3".
        case 4: code4 = 3; break;
        // "Other Code values: Silently drop."
        default: return drop(DropReason::Icmp6Untranslatable);
      }
      break;
    // "Packet Too Big (Type 2): Translate to an ICMPv4 Destination Unreachable (Type 3)
    // with Code 4, and adjust the ICMPv4 checksum both to take the type change into
    // account and to exclude the ICMPv6 pseudo-header. The MTU field MUST be adjusted
    // for the difference between the IPv4 and IPv6 header sizes, taking into account
    // whether or not the packet in error includes a Fragment Header, i.e.,
    // minimum(advertised MTU-20, MTU_of_IPv4_nexthop, (MTU_of_IPv6_nexthop)-20)."
    case icmp6::kPacketTooBig: {
      type4 = icmp4::kDestUnreach;
      code4 = 4;
      uint32_t adv = load32(icmp + 4);
      uint32_t mtu = std::min({adv > 20 ? adv - 20 : 0, cfg.mtu4, cfg.mtu6 - 20});
      rest4 = std::min<uint32_t>(mtu, 0xffff);
      break;
    }
    // "Time Exceeded (Type 3): Set the Type to 11 [...]. The Code is unchanged."
    case icmp6::kTimeExceeded:
      type4 = icmp4::kTimeExceeded;
      code4 = code;
      length_field = true;
      break;
    // "Parameter Problem (Type 4): [...] Code 0 (Erroneous header field encountered):
    // Set the Type to 12, Code to 0, and update the Pointer as described in Figure 6.
    // Code 1 (Unrecognized Next Header type encountered): Translate this to an ICMPv4
    // protocol unreachable (Type 3, Code 2). Code 2 (Unrecognized IPv6 option
    // encountered): Silently drop."
    case icmp6::kParamProblem:
      if (code == 0) {
        int ptr = map_pointer_6to4(load32(icmp + 4));
        if (ptr < 0) return drop(DropReason::Icmp6Untranslatable);
        type4 = icmp4::kParamProblem;
        code4 = 0;
        rest4 = static_cast<uint32_t>(ptr) << 24;
      } else if (code == 1) {
        type4 = icmp4::kDestUnreach;
        code4 = 2;
      } else {
        return drop(DropReason::Icmp6Untranslatable);
      }
      break;
    default:
      return drop(DropReason::Icmp6Untranslatable);
  }

  // RFC 4884 length: octet 4, in 64-bit words.
  uint32_t datagram_len;
  const uint32_t ext_len = rfc4884_split(length_field, icmp[4], 8, inner_len, datagram_len);

  uint8_t* o = out.scratch.data();
  uint8_t* icmp4 = o + kIpv4HeaderLen;
  uint8_t* inner4 = icmp4 + kIcmpHeaderLen;
  const uint32_t room = kIcmp4ErrorMax - kIpv4HeaderLen - kIcmpHeaderLen;
  DropReason why;
  uint32_t n = translate_inner(inner, datagram_len, inner4, room, why);
  if (n == 0) return drop(why);

  const uint8_t length4 =
      fit_icmp_extension(inner4, n, inner + datagram_len, ext_len, room, 4);

  const uint32_t total = kIpv4HeaderLen + kIcmpHeaderLen + n;
  write_ipv4_header(f, src4, dst4, out_ttl, total, o);
  IcmpHeader h{icmp4};
  h.set_type_code(type4, code4);
  h.set_checksum(0);
  h.set_rest(rest4);
  if (length4 != 0) icmp4[5] = length4;
  h.set_checksum(csum_finish(csum_add_bytes(icmp4, kIcmpHeaderLen + n)));

  forward(o, total, is_hairpin(f, dst4), 0);
}

void Translate6to4::to_self(Packet in, const Ipv6Fields& f) {
  uint8_t* p = in.data;
  uint8_t* icmp = p + f.l4_offset;
  uint32_t icmp_len = kIpv6HeaderLen + f.payload_length - f.l4_offset;
  // TAYGA's answer for anything but ICMPv6 to its own address: Parameter Problem,
  // unrecognized Next Header (RFC 4443 §3.4 code 1).
  if (f.protocol != proto::kIcmpv6) {
    return reply_error(p, kIpv6HeaderLen + f.payload_length, icmp6::kParamProblem, 1,
                       f.next_header_ptr, DropReason::ToSelf);
  }
  if (f.is_fragment() || icmp_len < kIcmpHeaderLen || icmp[0] != icmp6::kEchoRequest) {
    return drop(DropReason::ToSelf);
  }
  // RFC 4443 §4.2: the reply echoes the request; swapping the addresses leaves the
  // pseudo-header sum unchanged, so only the type change is accounted for.
  IcmpHeader h{icmp};
  uint16_t removed = h.type_code();
  h.set_type_code(icmp6::kEchoReply, h.code());
  h.set_checksum(csum_update(h.checksum(), removed, h.type_code()));
  Ipv6Header ip{p};
  ip.set_src(f.dst);
  ip.set_dst(f.src);
  ip.set_hop_limit(kGeneratedTtl);
  t.counters_.echo_replies_sent++;
  out.verdict = Verdict::Reply;
  emit(p, kIpv6HeaderLen + f.payload_length);
}

}  // namespace xlat
