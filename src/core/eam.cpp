#include "xlat/eam.hpp"

#include <endian.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace xlat {

namespace {

using u128 = unsigned __int128;

// The address as one big-endian 128-bit number: two 64-bit loads, not 16 shifts.
u128 to_u128(const Ipv6Addr& a) {
  uint64_t hi, lo;
  std::memcpy(&hi, a.b.data(), 8);
  std::memcpy(&lo, a.b.data() + 8, 8);
  return (static_cast<u128>(be64toh(hi)) << 64) | be64toh(lo);
}

Ipv6Addr from_u128(u128 v) {
  Ipv6Addr a;
  const uint64_t hi = htobe64(static_cast<uint64_t>(v >> 64)), lo = htobe64(static_cast<uint64_t>(v));
  std::memcpy(a.b.data(), &hi, 8);
  std::memcpy(a.b.data() + 8, &lo, 8);
  return a;
}

uint32_t suffix_mask(unsigned suffix4) { return suffix4 == 32 ? ~uint32_t{0} : (uint32_t{1} << suffix4) - 1; }

}  // namespace

template <class Key>
void PrefixHashIndex<Key>::build(const std::vector<std::pair<Key, uint8_t>>& prefixes) {
  levels_.clear();
  low_ = ~Key{0};
  high_ = 0;
  for (const auto& p : prefixes) {
    const Key m = mask_of(p.second);
    low_ = std::min<Key>(low_, p.first & m);
    high_ = std::max<Key>(high_, p.first | ~m);
  }
  std::vector<size_t> count(kBits + 1, 0);
  for (const auto& p : prefixes) ++count[p.second];
  std::vector<int> level_of(kBits + 1, -1);
  for (int len = static_cast<int>(kBits); len >= 0; --len) {
    if (count[static_cast<size_t>(len)] == 0) continue;
    level_of[static_cast<size_t>(len)] = static_cast<int>(levels_.size());
    Level l;
    l.mask = mask_of(static_cast<unsigned>(len));
    // At most half full: a miss ends at an empty slot within a probe or two.
    const size_t slots = std::bit_ceil(std::max<size_t>(4, count[static_cast<size_t>(len)] * 2));
    l.slot_mask = slots - 1;
    l.shift = 64u - static_cast<unsigned>(std::countr_zero(slots));
    l.slots.resize(slots);
    levels_.push_back(std::move(l));
  }
  for (size_t i = 0; i < prefixes.size(); ++i) {
    Level& l = levels_[static_cast<size_t>(level_of[prefixes[i].second])];
    const Key k = prefixes[i].first & l.mask;
    for (uint64_t h = hash(k) >> l.shift;; h = (h + 1) & l.slot_mask) {
      Slot& s = l.slots[h];
      if (s.entry != 0 && s.key == k) break;  // a duplicate: the first one stays
      if (s.entry == 0) {
        s.key = k;
        s.entry = static_cast<uint32_t>(i + 1);
        break;
      }
    }
  }
}

template class PrefixHashIndex<uint32_t>;
template class PrefixHashIndex<u128>;

bool eam_entry_valid(const EamEntry& e) {
  return e.v4.len <= 32 && e.v6.len <= 128 && (128 - e.v6.len) >= (32 - e.v4.len);
}

EamTable::EamTable(std::vector<EamEntry> entries) : entries_(std::move(entries)) {
  std::vector<std::pair<uint32_t, uint8_t>> v4;
  std::vector<std::pair<u128, uint8_t>> v6;
  v4.reserve(entries_.size());
  v6.reserve(entries_.size());
  for (auto& e : entries_) {
    e.v4.addr &= ipv4_mask(e.v4.len);
    e.v6.addr = ipv6_masked(e.v6.addr, e.v6.len);
    v4.emplace_back(e.v4.addr, e.v4.len);
    v6.emplace_back(to_u128(e.v6.addr), e.v6.len);
  }
  by_v4_.build(v4);
  by_v6_.build(v6);
}

// RFC 7757 §3.3: IPv4 address → prefix6 followed by the IPv4 suffix bits.
Ipv6Addr EamTable::map4(const EamEntry& e, Ipv4Addr a) {
  const unsigned suffix4 = 32u - e.v4.len;
  u128 v = to_u128(e.v6.addr);
  if (suffix4 != 0) v |= static_cast<u128>(a & suffix_mask(suffix4)) << (128u - e.v6.len - suffix4);
  return from_u128(v);
}

// RFC 7757 §3.3, the other way: the bits after the IPv6 prefix become the IPv4 suffix.
bool EamTable::lookup6(const Ipv6Addr& a, Ipv4Addr& out) const {
  const u128 key = to_u128(a);
  const int32_t i = by_v6_.find(key);
  if (i < 0) return false;
  const EamEntry& e = entries_[static_cast<size_t>(i)];
  const unsigned suffix4 = 32u - e.v4.len;
  Ipv4Addr v = e.v4.addr;
  if (suffix4 != 0) v |= static_cast<uint32_t>(key >> (128u - e.v6.len - suffix4)) & suffix_mask(suffix4);
  out = v;
  return true;
}

}  // namespace xlat
