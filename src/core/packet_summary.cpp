#include "xlat/packet_summary.hpp"

#include <cstdio>
#include <cstring>

#include "xlat/addr.hpp"
#include "xlat/bytes.hpp"
#include "xlat/headers.hpp"
#include "xlat/ipv6_chain.hpp"

namespace xlat {

namespace {

std::string l4_summary(uint8_t proto, const uint8_t* l4, uint32_t len, bool v6) {
  char b[96];
  if ((proto == proto::kUdp || proto == proto::kTcp) && len >= 4) {
    std::snprintf(b, sizeof b, "%s %u > %u", proto == proto::kUdp ? "UDP" : "TCP", load16(l4),
                  load16(l4 + 2));
  } else if ((proto == proto::kIcmp || proto == proto::kIcmpv6) && len >= 2) {
    std::snprintf(b, sizeof b, "%s type %u code %u", v6 ? "ICMPv6" : "ICMP", l4[0], l4[1]);
  } else {
    std::snprintf(b, sizeof b, "proto %u", proto);
  }
  return b;
}

}  // namespace

std::string summarize_packet(const uint8_t* p, uint32_t len) {
  char b[256];
  if (len >= 20 && (p[0] >> 4) == 4) {
    Ipv4Header ip{const_cast<uint8_t*>(p)};
    unsigned ihl = ip.ihl_bytes();
    std::snprintf(b, sizeof b, "IPv4 %s > %s ttl %u len %u%s%s %s", to_string(ip.src()).c_str(),
                  to_string(ip.dst()).c_str(), ip.ttl(), ip.total_length(), ip.df() ? " DF" : "",
                  ip.is_fragment() ? " frag" : "",
                  ihl <= len && ip.frag_offset() == 0 ? l4_summary(ip.protocol(), p + ihl, len - ihl, false).c_str() : "");
    return b;
  }
  if (len >= 40 && (p[0] >> 4) == 6) {
    Ipv6Header ip{const_cast<uint8_t*>(p)};
    Ipv6Chain c;
    const ChainStatus walked = walk_ipv6_chain(p, len, c);
    char frag[48] = "";
    if (c.has_frag) {
      std::snprintf(frag, sizeof frag, " frag offset %u%s", c.frag_offset, c.frag_more ? " M" : "");
    }
    const char* l4 = walked == ChainStatus::Truncated ? "truncated"
                     : walked == ChainStatus::ExtAfterFragment ? "header after fragment"
                                                               : "";
    std::string upper;
    if (walked == ChainStatus::Ok && c.first_fragment()) {
      upper = l4_summary(c.protocol, p + c.l4_offset, len - c.l4_offset, true);
      l4 = upper.c_str();
    }
    std::snprintf(b, sizeof b, "IPv6 %s > %s hlim %u plen %u%s %s", to_string(ip.src()).c_str(),
                  to_string(ip.dst()).c_str(), ip.hop_limit(), ip.payload_length(), frag, l4);
    return b;
  }
  std::snprintf(b, sizeof b, "%u bytes, not IP", len);
  return b;
}

}  // namespace xlat
