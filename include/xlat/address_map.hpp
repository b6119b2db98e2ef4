// Address mapping for both directions, in TAYGA's lookup order: static maps (EAM) first,
// then the dynamic pool, then the RFC 6052 prefix; a port-aware mapping, when one is
// configured, before them all. Reserved addresses never map.
//
// AddressMapper is built once from a TranslatorConfig (per Translator) and keeps what the
// packet path needs precomputed: the prefix as two masked 64-bit words, the byte layout
// of its IPv4 field, whether the well-known-prefix rule applies. Lookups are inline.
#pragma once

#include <cstring>

#include "xlat/addr.hpp"
#include "xlat/bytes.hpp"
#include "xlat/endpoint.hpp"
#include "xlat/rfc6052.hpp"
#include "xlat/translator_config.hpp"

namespace xlat {

// Unmapped: no mapping (answered with an ICMP error). Reserved: an RFC 6052 address whose
// embedded IPv4 address can never be translated (0/8, 127/8, 169.254/16, multicast,
// broadcast), dropped silently as TAYGA does.
enum class MapStatus : uint8_t { Ok, Unmapped, Reserved, Exhausted };

// 169.254/16 (RFC 3927): reserved for the prefix, but usable in maps and the pool.
inline bool ipv4_link_local(Ipv4Addr a) { return (a >> 16) == 0xa9fe; }

// 0/8, 127/8, 169.254/16, 224/4 (multicast) and 255.255.255.255. Class E (240/4) is
// unicast and translated, as in TAYGA (its docs/rfc.md).
inline bool ipv4_reserved(Ipv4Addr a) {
  uint32_t first = a >> 24;
  return first == 0 || first == 127 || ipv4_link_local(a) || (first >= 224 && first < 240) ||
         a == 0xffffffffu;
}

// ::/96 (unspecified, loopback, IPv4-compatible), ::ffff:0:0/96, fe80::/10, ff00::/8.
// Not all of ::/8: the well-known prefix 64:ff9b::/96 lives there.
bool ipv6_reserved(const Ipv6Addr& a);

class AddressMapper {
 public:
  AddressMapper(const TranslatorConfig& cfg, DynamicPool* pool);

  // The packet path hands over endpoints (address and port, endpoint.hpp): a
  // port-aware mapping, when configured, reads both; the others read the address.
  MapStatus to6(const Endpoint4& e, Ipv6Addr& out) const {
    const Ipv4Addr a = e.addr;
    if (port_map_ != nullptr) [[unlikely]] {
      switch (port_map_->to6(e, out)) {
        case PortMapping::Result::Mapped: return MapStatus::Ok;
        case PortMapping::Result::Refused: return MapStatus::Unmapped;
        case PortMapping::Result::NotCovered: break;
      }
    }
    if (has_eam_ && cfg_.eam.lookup4(a, out)) return MapStatus::Ok;
    if (pool_ != nullptr && pool_->covers(a)) {
      // TAYGA: a pool address with no active host is unreachable, never the prefix's.
      return pool_->lookup4(a, out) ? MapStatus::Ok : MapStatus::Unmapped;
    }
    if (has_prefix_ && prefix_allows(a)) {
      out = embed(a);
      return MapStatus::Ok;
    }
    return MapStatus::Unmapped;
  }

  // True when `a` is an EAM or dynamic-pool IPv4 address: an IPv6 destination in the
  // prefix that embeds one is a hairpin (RFC 7757 §4.2).
  bool is_mapped4(Ipv4Addr a) const {
    Ipv6Addr unused;
    return (has_eam_ && cfg_.eam.lookup4(a, unused)) || (pool_ != nullptr && pool_->covers(a));
  }
  // True when `a` is inside the RFC 6052 prefix, whatever it embeds.
  bool in_prefix6(const Ipv6Addr& a) const { return has_prefix_ && in_prefix(a); }

  // With `assign`, an address with no mapping may take one from the dynamic pool (only
  // the source of an IPv6 → IPv4 packet does this).
  MapStatus to4(const Endpoint6& e, Ipv4Addr& out, bool assign) const {
    const Ipv6Addr& a = e.addr;
    if (port_map_ != nullptr) [[unlikely]] {
      switch (port_map_->to4(e, out)) {
        case PortMapping::Result::Mapped: return MapStatus::Ok;
        case PortMapping::Result::Refused: return MapStatus::Unmapped;
        case PortMapping::Result::NotCovered: break;
      }
    }
    if (has_eam_ && cfg_.eam.lookup6(a, out)) return MapStatus::Ok;
    if (has_prefix_ && in_prefix(a)) {
      // An address inside the prefix is the prefix's, valid or not: it never takes a
      // dynamic pool address.
      out = extract(a);
      if (ipv4_reserved(out)) return MapStatus::Reserved;
      return prefix_allows(out) ? MapStatus::Ok : MapStatus::Unmapped;
    }
    if (pool_ != nullptr) {
      switch (pool_->lookup6(a, out, assign)) {
        case DynamicPool::Result::Found: return MapStatus::Ok;
        case DynamicPool::Result::Exhausted: return MapStatus::Exhausted;
        case DynamicPool::Result::NotFound: break;
      }
    }
    return MapStatus::Unmapped;
  }

  // The transport identifiers the mappings need of a packet (endpoint.hpp): read only
  // when a port-aware mapping is configured, so the address-only deployments pay nothing.
  TransportIds ids_of(uint8_t protocol, const uint8_t* l4, uint32_t avail, bool first) const {
    if (port_map_ == nullptr) [[likely]] return {};
    return transport_ids(protocol, l4, avail, first);
  }

  bool has_prefix() const { return has_prefix_; }
  // RFC 6052 §2.2 with the configured prefix (no validity checks).
  Ipv6Addr embed(Ipv4Addr a) const {
    Ipv6Addr out = prefix_;
    layout_.put(out, a);
    return out;
  }

 private:
  bool in_prefix(const Ipv6Addr& a) const {
    uint64_t hi, lo;
    std::memcpy(&hi, a.b.data(), 8);
    std::memcpy(&lo, a.b.data() + 8, 8);
    return ((hi & mask_hi_) == prefix_hi_) & ((lo & mask_lo_) == prefix_lo_);
  }
  Ipv4Addr extract(const Ipv6Addr& a) const { return layout_.get(a); }
  bool prefix_allows(Ipv4Addr a) const;

  const TranslatorConfig& cfg_;
  DynamicPool* pool_;
  const PortMapping* port_map_;
  bool has_eam_;
  bool has_prefix_;
  bool wkp_strict_;  // the prefix is 64:ff9b::/96 and wkpf-strict is on
  Ipv6Addr prefix_;  // masked to its length
  uint64_t prefix_hi_ = 0, prefix_lo_ = 0, mask_hi_ = 0, mask_lo_ = 0;  // native byte order
  Rfc6052Layout layout_;
};

// One-off lookups (configuration checks, tests): build a mapper and ask it.
MapStatus map_4to6(const TranslatorConfig& cfg, DynamicPool* pool, Ipv4Addr a, Ipv6Addr& out);
MapStatus map_6to4(const TranslatorConfig& cfg, DynamicPool* pool, const Ipv6Addr& a,
                   Ipv4Addr& out, bool assign);

}  // namespace xlat
