#include "xlat/address_map.hpp"

#include "xlat/rfc6052.hpp"

namespace xlat {

bool ipv6_reserved(const Ipv6Addr& a) {
  if (a.b[0] == 0xff || (a.b[0] == 0xfe && (a.b[1] & 0xc0) == 0x80)) return true;
  for (int i = 0; i < 10; ++i) {
    if (a.b[i] != 0) return false;
  }
  return (a.b[10] == 0 && a.b[11] == 0) || (a.b[10] == 0xff && a.b[11] == 0xff);
}

AddressMapper::AddressMapper(const TranslatorConfig& cfg, DynamicPool* pool)
    : cfg_(cfg), pool_(pool), port_map_(cfg.port_mapping.get()), has_eam_(!cfg.eam.empty()), has_prefix_(cfg.prefix.has_value()),
      wkp_strict_(false) {
  if (!has_prefix_) return;
  const Ipv6Prefix& p = *cfg.prefix;
  prefix_ = ipv6_masked(p.addr, p.len);
  Ipv6Addr mask = ipv6_masked(Ipv6Addr{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
                              p.len);
  std::memcpy(&prefix_hi_, prefix_.b.data(), 8);
  std::memcpy(&prefix_lo_, prefix_.b.data() + 8, 8);
  std::memcpy(&mask_hi_, mask.b.data(), 8);
  std::memcpy(&mask_lo_, mask.b.data() + 8, 8);
  layout_ = Rfc6052Layout::for_length(p.len);
  wkp_strict_ = cfg.wkpf_strict && p == well_known_prefix();
}

// RFC 6052 §3.1: with wkpf-strict, 64:ff9b::/96 only ever carries global IPv4.
bool AddressMapper::prefix_allows(Ipv4Addr a) const {
  if (ipv4_reserved(a)) return false;
  return !wkp_strict_ || ipv4_is_global(a);
}

MapStatus map_4to6(const TranslatorConfig& cfg, DynamicPool* pool, Ipv4Addr a, Ipv6Addr& out) {
  return AddressMapper(cfg, pool).to6(Endpoint4{a}, out);
}

MapStatus map_6to4(const TranslatorConfig& cfg, DynamicPool* pool, const Ipv6Addr& a,
                   Ipv4Addr& out, bool assign) {
  return AddressMapper(cfg, pool).to4(Endpoint6{a}, out, assign);
}

}  // namespace xlat
