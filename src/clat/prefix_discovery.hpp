// How a CLAT learns the PLAT's NAT64 prefix (issue: CLAT mode):
// - RFC 8781: the PREF64 option of a Router Advertisement, with a lifetime;
// - RFC 7050: the AAAA records of "ipv4only.arpa" from the resolver, which embed the
//   well-known IPv4 addresses 192.0.0.170 / 192.0.0.171 at an RFC 6052 position.
// Pure parsing: the daemon brings the bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "xlat/addr.hpp"

namespace xlatd::clat {

struct Pref64 {
  xlat::Ipv6Prefix prefix;
  uint32_t lifetime_seconds;  // 0 withdraws the prefix
};

// RFC 8781 §4: the PREF64 options of an ICMPv6 Router Advertisement (the ICMPv6
// message, starting at its type byte). Options with an unknown prefix length code are
// ignored; a malformed option list ends the walk.
std::vector<Pref64> pref64_from_router_advertisement(std::span<const uint8_t> icmp6);

// RFC 8781 §4: one PREF64 option's bytes (type 38, length 2).
std::optional<Pref64> parse_pref64_option(std::span<const uint8_t> option);

// RFC 7050 §3: the prefixes the AAAA answers imply: for each address, every RFC 6052
// length at which 192.0.0.170 or 192.0.0.171 sits (bits 64-71 zero). Deduplicated, in
// answer order.
std::vector<xlat::Ipv6Prefix> prefixes_from_ipv4only_answers(const std::vector<xlat::Ipv6Addr>& aaaa);

// The AAAA records in a DNS response (RFC 1035 §4.1, compression pointers followed).
// Malformed messages yield what could be read before the damage.
// `min_ttl`, when given, receives the smallest TTL of those records (0 without any).
std::vector<xlat::Ipv6Addr> aaaa_answers(std::span<const uint8_t> dns_response, uint32_t* min_ttl = nullptr);

// RFC 7050 §3: the query: "ipv4only.arpa" IN AAAA, recursion desired, with `id`.
std::vector<uint8_t> ipv4only_query(uint16_t id);
// The message id of a DNS response, or nullopt when the bytes are too short or are not
// a response (QR clear).
std::optional<uint16_t> dns_response_id(std::span<const uint8_t> dns_response);

// Whether `dns_response` answers our ipv4only_query(id): a standard-query response with
// that id whose one question is "ipv4only.arpa" IN AAAA (any letter case). Answer: read
// its AAAA records (NOERROR; NXDOMAIN / NODATA mean no DNS64). Truncated: TC set.
// Failed: another RCODE (SERVFAIL, REFUSED ...). NotOurs: anything else, ignored.
enum class DnsVerdict { Answer, Truncated, Failed, NotOurs };
DnsVerdict check_ipv4only_response(std::span<const uint8_t> dns_response, uint16_t id);

}  // namespace xlatd::clat
