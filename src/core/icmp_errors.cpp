#include "icmp_errors.hpp"

#include <algorithm>
#include <cstring>

#include "translate_common.hpp"

namespace xlat::detail {

uint32_t build_icmp4_error(const TranslatorConfig& cfg, uint16_t ip_id, const uint8_t* orig,
                           uint32_t orig_len, uint8_t type, uint8_t code, uint32_t rest,
                           uint8_t* out) {
  uint32_t quote = std::min(orig_len, kIcmp4ErrorMax - kIpv4HeaderLen - kIcmpHeaderLen);
  uint32_t total = kIpv4HeaderLen + kIcmpHeaderLen + quote;

  Ipv4Header ip{out};
  ip.set_version_ihl(kIpv4HeaderLen);
  ip.set_tos(0);
  ip.set_total_length(static_cast<uint16_t>(total));
  ip.set_id(ip_id);
  ip.set_flags_offset(false, false, 0);
  ip.set_ttl(kGeneratedTtl);
  ip.set_protocol(proto::kIcmp);
  ip.set_checksum(0);
  ip.set_src(cfg.own_v4);
  ip.set_dst(load32(orig + 12));
  ip.set_checksum(csum_finish(csum_add_bytes(out, kIpv4HeaderLen)));

  IcmpHeader icmp{out + kIpv4HeaderLen};
  icmp.set_type_code(type, code);
  icmp.set_checksum(0);
  icmp.set_rest(rest);
  std::memcpy(out + kIpv4HeaderLen + kIcmpHeaderLen, orig, quote);
  icmp.set_checksum(csum_finish(csum_add_bytes(icmp.p, kIcmpHeaderLen + quote)));
  return total;
}

uint32_t build_icmp6_error(const TranslatorConfig& cfg, const uint8_t* orig, uint32_t orig_len,
                           uint8_t type, uint8_t code, uint32_t rest, uint8_t* out) {
  uint32_t quote = std::min(orig_len, kIcmp6ErrorMax - kIpv6HeaderLen - kIcmpHeaderLen);
  uint32_t payload = kIcmpHeaderLen + quote;
  Ipv6Addr dst;
  std::memcpy(dst.b.data(), orig + 8, 16);

  Ipv6Header ip{out};
  ip.set_version_tc_flow(0);
  ip.set_payload_length(static_cast<uint16_t>(payload));
  ip.set_next_header(proto::kIcmpv6);
  ip.set_hop_limit(kGeneratedTtl);
  ip.set_src(cfg.own_v6);
  ip.set_dst(dst);

  IcmpHeader icmp{out + kIpv6HeaderLen};
  icmp.set_type_code(type, code);
  icmp.set_checksum(0);
  icmp.set_rest(rest);
  std::memcpy(out + kIpv6HeaderLen + kIcmpHeaderLen, orig, quote);
  uint64_t sum = icmp6_pseudo(cfg.own_v6, dst, payload);
  icmp.set_checksum(csum_finish(csum_add_bytes(icmp.p, payload, sum)));
  return kIpv6HeaderLen + payload;
}

}  // namespace xlat::detail
