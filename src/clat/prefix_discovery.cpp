#include "clat/prefix_discovery.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

#include "xlat/address_map.hpp"
#include "xlat/bytes.hpp"
#include "xlat/rfc6052.hpp"

namespace xlatd::clat {

namespace {

constexpr uint8_t kRouterAdvertisement = 134;
constexpr uint8_t kPref64Option = 38;
constexpr size_t kRaHeaderLen = 16;  // type, code, checksum, hop limit, flags, lifetimes

}  // namespace

std::optional<Pref64> parse_pref64_option(std::span<const uint8_t> o) {
  // Type (38), Length (2, in 8-octet units), Scaled Lifetime (13 bits) | PLC (3 bits),
  // Highest 96 bits of the Prefix.
  if (o.size() < 16 || o[0] != kPref64Option || o[1] != 2) return std::nullopt;
  uint16_t word = xlat::load16(o.data() + 2);
  uint8_t plc = word & 0x7;
  static constexpr uint8_t kLengths[] = {96, 64, 56, 48, 40, 32};
  if (plc >= sizeof kLengths) return std::nullopt;  // "MUST ignore the PREF64 option"
  Pref64 p;
  p.prefix.len = kLengths[plc];
  std::memcpy(p.prefix.addr.b.data(), o.data() + 4, 12);
  p.prefix.addr = xlat::ipv6_masked(p.prefix.addr, p.prefix.len);
  // "the lifetime [...] in units of 8 seconds".
  p.lifetime_seconds = uint32_t{static_cast<uint16_t>(word >> 3)} * 8;
  return p;
}

std::vector<Pref64> pref64_from_router_advertisement(std::span<const uint8_t> m) {
  std::vector<Pref64> out;
  if (m.size() < kRaHeaderLen || m[0] != kRouterAdvertisement) return out;
  size_t off = kRaHeaderLen;
  while (off + 2 <= m.size()) {
    size_t len = size_t{m[off + 1]} * 8;
    if (len == 0 || off + len > m.size()) break;  // RFC 4861 §4.6: a zero length is invalid
    if (m[off] == kPref64Option) {
      if (auto p = parse_pref64_option(m.subspan(off, len))) out.push_back(*p);
    }
    off += len;
  }
  return out;
}

std::vector<xlat::Ipv6Prefix> prefixes_from_ipv4only_answers(const std::vector<xlat::Ipv6Addr>& aaaa) {
  static constexpr xlat::Ipv4Addr kWellKnown[] = {0xc00000aa, 0xc00000ab};  // 192.0.0.170/171
  std::vector<xlat::Ipv6Prefix> out;
  for (const auto& a : aaaa) {
    for (unsigned len : {96u, 64u, 56u, 48u, 40u, 32u}) {
      if (len < 96 && a.b[8] != 0) continue;  // RFC 6052 §2.2: bits 64-71 are zero
      xlat::Ipv6Prefix p{xlat::ipv6_masked(a, len), static_cast<uint8_t>(len)};
      xlat::Ipv4Addr v4 = xlat::rfc6052_extract(p, a);
      if (std::find(std::begin(kWellKnown), std::end(kWellKnown), v4) == std::end(kWellKnown)) continue;
      // The suffix after the IPv4 address must be zero when building (RFC 6052 §2.2).
      if (xlat::rfc6052_embed(p, v4) != a) continue;
      // RFC 7050 §3.1: a prefix that cannot carry unicast traffic (multicast, link-local,
      // ::/96, ::ffff:0:0/96) is no NAT64 prefix, whatever the answer says.
      if (xlat::ipv6_reserved(p.addr)) continue;
      if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    }
  }
  return out;
}

namespace {

// Skips a (possibly compressed) domain name; returns the offset after it, or 0.
size_t skip_name(std::span<const uint8_t> m, size_t off) {
  for (int labels = 0; labels < 128 && off < m.size(); ++labels) {
    uint8_t l = m[off];
    if (l == 0) return off + 1;
    if ((l & 0xc0) == 0xc0) return off + 2 <= m.size() ? off + 2 : 0;  // pointer ends it
    if (l & 0xc0) return 0;
    off += 1 + l;
  }
  return 0;
}

}  // namespace

std::vector<xlat::Ipv6Addr> aaaa_answers(std::span<const uint8_t> m, uint32_t* min_ttl) {
  std::vector<xlat::Ipv6Addr> out;
  if (min_ttl != nullptr) *min_ttl = 0;
  if (m.size() < 12) return out;
  uint16_t qd = xlat::load16(m.data() + 4), an = xlat::load16(m.data() + 6);
  size_t off = 12;
  for (uint16_t i = 0; i < qd; ++i) {
    off = skip_name(m, off);
    if (off == 0 || off + 4 > m.size()) return out;
    off += 4;  // QTYPE, QCLASS
  }
  for (uint16_t i = 0; i < an; ++i) {
    off = skip_name(m, off);
    if (off == 0 || off + 10 > m.size()) return out;
    uint16_t type = xlat::load16(m.data() + off);
    uint16_t rdlen = xlat::load16(m.data() + off + 8);
    off += 10;
    if (off + rdlen > m.size()) return out;
    if (type == 28 && rdlen == 16) {  // AAAA
      xlat::Ipv6Addr a;
      std::memcpy(a.b.data(), m.data() + off, 16);
      // TYPE, CLASS, then the 32-bit TTL (RFC 1035 §4.1.3), ten bytes back from RDATA.
      const uint32_t ttl = static_cast<uint32_t>(xlat::load16(m.data() + off - 6)) << 16 |
                           xlat::load16(m.data() + off - 4);
      if (min_ttl != nullptr && (out.empty() || ttl < *min_ttl)) *min_ttl = ttl;
      out.push_back(a);
    }
    off += rdlen;
  }
  return out;
}

std::vector<uint8_t> ipv4only_query(uint16_t id) {
  // RFC 1035 §4.1.1 header: id, flags (RD), QDCOUNT 1; then the question.
  std::vector<uint8_t> q = {static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  for (const char* label : {"ipv4only", "arpa"}) {
    const std::string l(label);
    q.push_back(static_cast<uint8_t>(l.size()));
    q.insert(q.end(), l.begin(), l.end());
  }
  q.insert(q.end(), {0, 0, 28, 0, 1});  // root, QTYPE AAAA (28), QCLASS IN
  return q;
}

std::optional<uint16_t> dns_response_id(std::span<const uint8_t> r) {
  if (r.size() < 12 || !(r[2] & 0x80)) return std::nullopt;
  return static_cast<uint16_t>(r[0] << 8 | r[1]);
}

DnsVerdict check_ipv4only_response(std::span<const uint8_t> r, uint16_t id) {
  if (dns_response_id(r) != id) return DnsVerdict::NotOurs;
  if (((r[2] >> 3) & 0x0f) != 0) return DnsVerdict::NotOurs;     // OPCODE: standard query
  if (xlat::load16(r.data() + 4) != 1) return DnsVerdict::NotOurs;  // QDCOUNT
  // RFC 5452 §9.1: the question must be the one asked.
  const std::vector<uint8_t> q = ipv4only_query(id);
  if (r.size() < q.size()) return DnsVerdict::NotOurs;
  for (size_t i = 12; i < q.size(); ++i) {
    if (std::tolower(r[i]) != q[i]) return DnsVerdict::NotOurs;
  }
  if (r[2] & 0x02) return DnsVerdict::Truncated;  // TC
  const uint8_t rcode = r[3] & 0x0f;
  if (rcode == 0 || rcode == 3) return DnsVerdict::Answer;  // NOERROR, NXDOMAIN
  return DnsVerdict::Failed;
}

}  // namespace xlatd::clat
