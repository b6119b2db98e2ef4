// Which prefixes of a set share an address with a given one, in O(log n) per answer
// instead of a scan of the set: the overlap checks of tayga.conf maps and map-file
// merging (a scan made them quadratic in the table size; docs/io.md).
//
// Two prefixes overlap exactly when one contains the other. The set is kept sorted by
// (network address, length). The prefixes containing p are found by looking up p's own
// network at each shorter length present in the set; the prefixes p contains are the
// entries from (p's network, p's length) onward whose address p contains, a contiguous
// run of the order (a prefix inside p cannot sort before p's network unless it shares
// that network with a shorter length, and then it contains p instead).
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <type_traits>
#include <utility>

#include "xlat/addr.hpp"

namespace xlatd {

template <typename Prefix>
class PrefixIndex {
 public:
  using Addr = std::remove_cv_t<decltype(Prefix{}.addr)>;
  static constexpr unsigned kMaxLen = std::is_same_v<Addr, xlat::Ipv4Addr> ? 32 : 128;

  void insert(const Prefix& p, size_t id) {
    items_.emplace(Key{network(p.addr, p.len), p.len}, id);
    ++lengths_[p.len];
  }
  void erase(const Prefix& p, size_t id) {
    auto [first, last] = items_.equal_range(Key{network(p.addr, p.len), p.len});
    for (auto it = first; it != last; ++it) {
      if (it->second == id) {
        items_.erase(it);
        --lengths_[p.len];
        return;
      }
    }
  }
  // Calls f(id) once for every entry that shares an address with p.
  template <typename F>
  void for_each_overlapping(const Prefix& p, F&& f) const {
    const Addr base = network(p.addr, p.len);
    for (unsigned len = 0; len < p.len; ++len) {
      if (lengths_[len] == 0) continue;
      auto [first, last] = items_.equal_range(Key{network(base, len), static_cast<uint8_t>(len)});
      for (auto it = first; it != last; ++it) f(it->second);
    }
    const Prefix whole{base, p.len};
    for (auto it = items_.lower_bound(Key{base, p.len}); it != items_.end() && whole.contains(it->first.first); ++it) {
      f(it->second);
    }
  }

 private:
  using Key = std::pair<Addr, uint8_t>;
  static Addr network(const Addr& a, unsigned len) {
    if constexpr (std::is_same_v<Addr, xlat::Ipv4Addr>) {
      return a & xlat::ipv4_mask(static_cast<uint8_t>(len));
    } else {
      return xlat::ipv6_masked(a, len);
    }
  }
  std::multimap<Key, size_t> items_;
  std::array<size_t, kMaxLen + 1> lengths_{};
};

}  // namespace xlatd
