// Address mapping for both directions, in TAYGA's lookup order: static maps (EAM) first,
// then the dynamic pool, then the RFC 6052 prefix. Reserved addresses never map.
#pragma once

#include "xlat/addr.hpp"
#include "xlat/translator.hpp"

namespace xlat {

enum class MapStatus : uint8_t { Ok, Unmapped, Exhausted };

// 0/8, 127/8, 169.254/16 and 224/3 (multicast, class E, limited broadcast).
bool ipv4_reserved(Ipv4Addr a);
// ::/96 (unspecified, loopback, IPv4-compatible), ::ffff:0:0/96, fe80::/10, ff00::/8.
bool ipv6_reserved(const Ipv6Addr& a);

MapStatus map_4to6(const TranslatorConfig& cfg, DynamicPool* pool, Ipv4Addr a, Ipv6Addr& out);
// With `assign`, an address with no mapping may take one from the dynamic pool (only the
// source of an IPv6 → IPv4 packet does this).
MapStatus map_6to4(const TranslatorConfig& cfg, DynamicPool* pool, const Ipv6Addr& a,
                   Ipv4Addr& out, bool assign);

}  // namespace xlat
