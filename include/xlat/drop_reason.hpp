// Every reason a packet is not translated, with a name for counters and logs and one
// sentence an operator can act on. One drop path in the translator bumps one counter.
#pragma once

#include <cstdint>
#include <string_view>

namespace xlat {

// X(enum name, counter name, explanation)
#define XLAT_DROP_REASONS(X)                                                                \
  X(None, "none", "not dropped")                                                           \
  X(Ipv4Truncated, "ipv4_truncated", "shorter than an IPv4 header or its IHL")             \
  X(Ipv4BadVersion, "ipv4_bad_version", "IPv4 side received a packet whose version is not 4") \
  X(Ipv4BadHeaderLength, "ipv4_bad_ihl", "IHL below 5 words")                              \
  X(Ipv4BadTotalLength, "ipv4_bad_total_length", "Total Length disagrees with the bytes received") \
  X(Ipv4BadHeaderChecksum, "ipv4_bad_header_checksum", "IPv4 header checksum is wrong")    \
  X(Ipv4ReservedSource, "ipv4_reserved_source", "IPv4 source is in 0/8, 127/8, 169.254/16, 224/4 or broadcast") \
  X(Ipv4ReservedDest, "ipv4_reserved_dest", "IPv4 destination is in 0/8, 127/8, 169.254/16, 224/4 or broadcast") \
  X(Ipv4ProtocolIpv6Only, "ipv4_protocol_ipv6_only", "IPv4 Protocol names an IPv6-only header (0, 43, 44, 58, 60), as TAYGA refuses") \
  X(Ipv4TtlExpired, "ipv4_ttl_expired", "TTL would reach 0 (Time Exceeded sent, RFC 7915 4.1)") \
  X(Ipv4SourceRoute, "ipv4_source_route", "unexpired IPv4 source route option (RFC 7915 4.1)") \
  X(Ipv4FragNeeded, "ipv4_frag_needed", "DF set and too big for the IPv6 MTU (Fragmentation Needed sent)") \
  X(Ipv4UdpZeroChecksum, "ipv4_udp_zero_checksum", "IPv4 UDP with checksum 0 and udp-cksum-mode drop (RFC 7915 4.5)") \
  X(Ipv4UdpZeroChecksumFragment, "ipv4_udp_zero_checksum_fragment", "fragmented IPv4 UDP with checksum 0 cannot be fixed (RFC 7915 4.5)") \
  X(Ipv4DestUnmapped, "ipv4_dest_unmapped", "no mapping for the IPv4 destination")          \
  X(Ipv4SourceUnmapped, "ipv4_source_unmapped", "no mapping for the IPv4 source")           \
  X(Ipv6Truncated, "ipv6_truncated", "shorter than an IPv6 header or its extension headers") \
  X(Ipv6BadVersion, "ipv6_bad_version", "IPv6 side received a packet whose version is not 6") \
  X(Ipv6BadPayloadLength, "ipv6_bad_payload_length", "Payload Length disagrees with the bytes received (or jumbogram)") \
  X(Ipv6ReservedSource, "ipv6_reserved_source", "IPv6 source is in ::/8, fe80::/10 or ff00::/8, or embeds a reserved IPv4 address") \
  X(Ipv6ReservedDest, "ipv6_reserved_dest", "IPv6 destination is in ::/8, fe80::/10 or ff00::/8, or embeds a reserved IPv4 address") \
  X(Ipv6NextHeaderIcmpv4, "ipv6_next_header_icmpv4", "IPv6 Next Header is ICMPv4 (1), which IPv6 never carries") \
  X(Ipv6UdpZeroChecksum, "ipv6_udp_zero_checksum", "IPv6 UDP with checksum 0 (illegal in IPv6) and udp-cksum-mode drop, or fragmented") \
  X(Ipv6DestHairpin, "ipv6_dest_hairpin", "IPv6 destination in the prefix embeds a map or pool address (a hairpin; `hairpin yes` translates it)") \
  X(Ipv6HopLimitExpired, "ipv6_hop_limit_expired", "Hop Limit would reach 0 (Time Exceeded sent, RFC 7915 5.1)") \
  X(Ipv6SegmentsLeft, "ipv6_segments_left", "Routing header with Segments Left not 0 (Parameter Problem sent, RFC 7915 5.1)") \
  X(Ipv6ExtAfterFragment, "ipv6_ext_after_fragment", "extension header after the Fragment Header (RFC 7915 5.1.1)") \
  X(Ipv6TooBig, "ipv6_too_big", "too big for the IPv4 MTU (Packet Too Big sent)")            \
  X(Ipv6DestUnmapped, "ipv6_dest_unmapped", "no mapping for the IPv6 destination")          \
  X(Ipv6SourceUnmapped, "ipv6_source_unmapped", "no mapping for the IPv6 source")           \
  X(PoolExhausted, "pool_exhausted", "dynamic pool has no free or dormant address")          \
  X(IcmpFragmented, "icmp_fragmented", "fragmented ICMP cannot be translated (RFC 7915 4.2)") \
  X(Icmp4Untranslatable, "icmp4_untranslatable", "ICMPv4 type or code with no ICMPv6 equivalent (RFC 7915 4.2)") \
  X(Icmp6Untranslatable, "icmp6_untranslatable", "ICMPv6 type or code with no ICMPv4 equivalent (RFC 7915 5.2)") \
  X(IcmpTruncated, "icmp_truncated", "ICMP message shorter than its header")                \
  X(IcmpErrorBadChecksum, "icmp_error_bad_checksum", "ICMP error with a wrong checksum (it is recomputed, so it is checked first)") \
  X(IcmpErrorInError, "icmp_error_in_error", "ICMP error inside an ICMP error (RFC 7915 4.3)") \
  X(IcmpInnerMalformed, "icmp_inner_malformed", "the packet inside an ICMP error is truncated or malformed") \
  X(IcmpInnerUnmapped, "icmp_inner_unmapped", "no mapping for an address of the packet inside an ICMP error") \
  X(L4Truncated, "l4_truncated", "TCP or UDP header cut short in an unfragmented or first-fragment packet") \
  X(NoRoom, "no_room", "output does not fit the scratch buffer")                              \
  X(GsoUntranslatable, "gso_untranslatable", "TUN super-packet whose offload header cannot be carried across") \
  X(ToSelf, "to_self", "addressed to the translator itself and not an echo request (non-ICMP is answered with protocol unreachable)")

enum class DropReason : uint8_t {
#define XLAT_ENUM(e, n, x) e,
  XLAT_DROP_REASONS(XLAT_ENUM)
#undef XLAT_ENUM
      Count
};

inline constexpr unsigned kDropReasonCount = static_cast<unsigned>(DropReason::Count);

std::string_view drop_reason_name(DropReason r);
std::string_view drop_reason_explanation(DropReason r);

}  // namespace xlat
