#include "xlat/eam.hpp"

#include <algorithm>

namespace xlat {

namespace {

using u128 = unsigned __int128;

u128 to_u128(const Ipv6Addr& a) {
  u128 v = 0;
  for (uint8_t byte : a.b) v = (v << 8) | byte;
  return v;
}

Ipv6Addr from_u128(u128 v) {
  Ipv6Addr a;
  for (int i = 15; i >= 0; --i) {
    a.b[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
  return a;
}

}  // namespace

bool eam_entry_valid(const EamEntry& e) {
  return e.v4.len <= 32 && e.v6.len <= 128 && (128 - e.v6.len) >= (32 - e.v4.len);
}

EamTable::EamTable(std::vector<EamEntry> entries) : by_v4_(entries), by_v6_(std::move(entries)) {
  for (auto* v : {&by_v4_, &by_v6_}) {
    for (auto& e : *v) {
      e.v4.addr &= ipv4_mask(e.v4.len);
      e.v6.addr = ipv6_masked(e.v6.addr, e.v6.len);
    }
  }
  std::stable_sort(by_v4_.begin(), by_v4_.end(),
                   [](const EamEntry& a, const EamEntry& b) { return a.v4.len > b.v4.len; });
  std::stable_sort(by_v6_.begin(), by_v6_.end(),
                   [](const EamEntry& a, const EamEntry& b) { return a.v6.len > b.v6.len; });
}

// RFC 7757 §3.3: IPv4 address → prefix6 followed by the IPv4 suffix bits.
bool EamTable::lookup4(Ipv4Addr a, Ipv6Addr& out) const {
  for (const auto& e : by_v4_) {
    if (!e.v4.contains(a)) continue;
    unsigned suffix4 = 32u - e.v4.len;
    u128 v = to_u128(e.v6.addr);
    if (suffix4 != 0) {
      u128 bits = a & (suffix4 == 32 ? ~uint32_t{0} : ((uint32_t{1} << suffix4) - 1));
      v |= bits << (128u - e.v6.len - suffix4);
    }
    out = from_u128(v);
    return true;
  }
  return false;
}

// RFC 7757 §3.3, the other way: the bits after the IPv6 prefix become the IPv4 suffix.
bool EamTable::lookup6(const Ipv6Addr& a, Ipv4Addr& out) const {
  for (const auto& e : by_v6_) {
    if (!e.v6.contains(a)) continue;
    unsigned suffix4 = 32u - e.v4.len;
    Ipv4Addr v = e.v4.addr;
    if (suffix4 != 0) {
      u128 bits = to_u128(a) >> (128u - e.v6.len - suffix4);
      uint32_t mask = suffix4 == 32 ? ~uint32_t{0} : ((uint32_t{1} << suffix4) - 1);
      v |= static_cast<uint32_t>(bits) & mask;
    }
    out = v;
    return true;
  }
  return false;
}

}  // namespace xlat
