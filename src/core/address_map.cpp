#include "xlat/address_map.hpp"

#include "xlat/rfc6052.hpp"

namespace xlat {

bool ipv4_reserved(Ipv4Addr a) {
  uint8_t first = static_cast<uint8_t>(a >> 24);
  return first == 0 || first == 127 || (a >> 16) == 0xa9fe || first >= 224;
}

bool ipv6_reserved(const Ipv6Addr& a) {
  if (a.b[0] == 0xff || (a.b[0] == 0xfe && (a.b[1] & 0xc0) == 0x80)) return true;
  // ::/96 (unspecified, loopback, IPv4-compatible) and ::ffff:0:0/96 (IPv4-mapped). Not
  // all of ::/8: the well-known prefix 64:ff9b::/96 lives there.
  for (int i = 0; i < 10; ++i) {
    if (a.b[i] != 0) return false;
  }
  return (a.b[10] == 0 && a.b[11] == 0) || (a.b[10] == 0xff && a.b[11] == 0xff);
}

namespace {

// RFC 6052 §3.1: with wkpf-strict, 64:ff9b::/96 only ever carries global IPv4.
bool prefix_allows(const TranslatorConfig& cfg, Ipv4Addr a) {
  if (ipv4_reserved(a)) return false;
  if (cfg.wkpf_strict && *cfg.prefix == well_known_prefix()) return ipv4_is_global(a);
  return true;
}

}  // namespace

MapStatus map_4to6(const TranslatorConfig& cfg, DynamicPool* pool, Ipv4Addr a, Ipv6Addr& out) {
  if (cfg.eam.lookup4(a, out)) return MapStatus::Ok;
  if (pool != nullptr && pool->covers(a)) {
    // TAYGA: a pool address with no active host is unreachable, never the prefix's.
    return pool->lookup4(a, out) ? MapStatus::Ok : MapStatus::Unmapped;
  }
  if (cfg.prefix && prefix_allows(cfg, a)) {
    out = rfc6052_embed(*cfg.prefix, a);
    return MapStatus::Ok;
  }
  return MapStatus::Unmapped;
}

MapStatus map_6to4(const TranslatorConfig& cfg, DynamicPool* pool, const Ipv6Addr& a,
                   Ipv4Addr& out, bool assign) {
  if (cfg.eam.lookup6(a, out)) return MapStatus::Ok;
  if (cfg.prefix && cfg.prefix->contains(a)) {
    // An address inside the prefix is the prefix's, valid or not: it never takes a
    // dynamic pool address.
    out = rfc6052_extract(*cfg.prefix, a);
    return prefix_allows(cfg, out) ? MapStatus::Ok : MapStatus::Unmapped;
  }
  if (pool != nullptr) {
    switch (pool->lookup6(a, out, assign)) {
      case DynamicPool::Result::Found: return MapStatus::Ok;
      case DynamicPool::Result::Exhausted: return MapStatus::Exhausted;
      case DynamicPool::Result::NotFound: break;
    }
  }
  return MapStatus::Unmapped;
}

}  // namespace xlat
