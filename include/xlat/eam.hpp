// RFC 7757 Explicit Address Mappings (TAYGA's `map v4[/n] v6[/n]`).
//
// Each entry pairs an IPv4 prefix with an IPv6 prefix; the IPv4 suffix bits are copied
// right after the IPv6 prefix (RFC 7757 §3.2), so the IPv6 suffix must be at least as
// long. Lookups are longest-prefix match on the side being translated (RFC 7757 §3.3).
//
// The table is built once from configuration (n log n) and only read while
// translating; a reload builds a new one. A lookup costs one hash probe per distinct
// prefix length present on that side (at most 33 and 129, one for a table of host
// maps), whatever the number of entries: each length has its own open-addressed hash
// table of masked prefixes, searched longest first. An address outside the span of all
// the prefixes misses at once.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "xlat/addr.hpp"

namespace xlat {

struct EamEntry {
  Ipv4Prefix v4;
  Ipv6Prefix v6;
};

// Longest-prefix match over prefixes of one address family, as one hash table per
// prefix length. Key is uint32_t (IPv4) or unsigned __int128 (IPv6).
template <class Key>
class PrefixHashIndex {
 public:
  static constexpr unsigned kBits = sizeof(Key) * 8;

  // `prefixes[i]` is (masked prefix, length); where one appears twice, the first wins.
  void build(const std::vector<std::pair<Key, uint8_t>>& prefixes);
  // The index of the longest prefix containing `a`, or -1.
  int32_t find(Key a) const {
    // Outside the span of every prefix (an address of the RFC 6052 prefix, say, when
    // the maps live elsewhere): a miss without a probe.
    if (a < low_ || a > high_) return -1;
    for (const Level& l : levels_) {
      const Key k = a & l.mask;
      for (uint64_t h = hash(k) >> l.shift;; h = (h + 1) & l.slot_mask) {
        const Slot& s = l.slots[h];
        if (s.entry == 0) break;
        if (s.key == k) return static_cast<int32_t>(s.entry - 1);
      }
    }
    return -1;
  }
  size_t levels() const { return levels_.size(); }

 private:
  struct Slot {
    Key key{};
    uint32_t entry = 0;  // index + 1; 0 is an empty slot
  };
  struct Level {
    Key mask{};
    uint64_t slot_mask = 0;
    unsigned shift = 64;  // the hash's top log2(slots) bits pick the slot
    std::vector<Slot> slots;
  };
  // Fibonacci hashing: the top bits of the key times 2^64 / golden ratio.
  static uint64_t hash(Key k) {
    if constexpr (sizeof(Key) <= 8) {
      return static_cast<uint64_t>(k) * 0x9e3779b97f4a7c15ull;
    } else {
      const uint64_t hi = static_cast<uint64_t>(k >> 64), lo = static_cast<uint64_t>(k);
      return (hi * 0xc2b2ae3d27d4eb4full ^ lo) * 0x9e3779b97f4a7c15ull;
    }
  }
  static Key mask_of(unsigned len) { return len == 0 ? Key{0} : ~Key{0} << (kBits - len); }

  std::vector<Level> levels_;  // longest prefix length first
  Key low_ = ~Key{0}, high_ = 0;  // the lowest and highest address any prefix holds
};

class EamTable {
 public:
  EamTable() = default;
  // Entries must satisfy eam_entry_valid(); overlapping IPv4 sides are fine (longest
  // match wins), overlapping IPv6 sides are the configuration's job to refuse. Where
  // one prefix appears twice on a side, the first entry wins.
  explicit EamTable(std::vector<EamEntry> entries);

  bool lookup4(Ipv4Addr a, Ipv6Addr& out) const {
    const int32_t i = by_v4_.find(a);
    if (i < 0) return false;
    out = map4(entries_[static_cast<size_t>(i)], a);
    return true;
  }
  bool lookup6(const Ipv6Addr& a, Ipv4Addr& out) const;

  bool empty() const { return entries_.empty(); }
  // The entries as configured, prefixes masked.
  std::span<const EamEntry> entries() const { return entries_; }
  // Distinct prefix lengths on each side: the probes a miss costs.
  size_t levels4() const { return by_v4_.levels(); }
  size_t levels6() const { return by_v6_.levels(); }

 private:
  static Ipv6Addr map4(const EamEntry& e, Ipv4Addr a);

  std::vector<EamEntry> entries_;
  PrefixHashIndex<uint32_t> by_v4_;
  PrefixHashIndex<unsigned __int128> by_v6_;
};

// IPv6 suffix no shorter than the IPv4 suffix (RFC 7757 §3.2).
bool eam_entry_valid(const EamEntry& e);

}  // namespace xlat
