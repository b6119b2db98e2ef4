// The overlap index (prefix_index.hpp) against the slow reference it replaced: for
// random sets of nested and disjoint prefixes, for_each_overlapping names exactly the
// entries Prefix::overlaps says share an address, after inserts and erases.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "plat/prefix_index.hpp"

namespace {

template <typename Prefix, typename Make>
void compare_with_scan(Make make) {
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    xlatd::PrefixIndex<Prefix> index;
    std::vector<Prefix> all;
    std::vector<bool> present;
    for (int i = 0; i < 300; ++i) {
      all.push_back(make(rng));
      present.push_back(true);
      index.insert(all.back(), all.size() - 1);
      if (rng() % 4 == 0) {  // erase a random earlier one
        size_t k = rng() % all.size();
        if (present[k]) {
          index.erase(all[k], k);
          present[k] = false;
        }
      }
    }
    for (int q = 0; q < 300; ++q) {
      const Prefix p = make(rng);
      std::vector<size_t> got, want;
      index.for_each_overlapping(p, [&](size_t id) { got.push_back(id); });
      for (size_t k = 0; k < all.size(); ++k) {
        if (present[k] && all[k].overlaps(p)) want.push_back(k);
      }
      std::sort(got.begin(), got.end());
      ASSERT_EQ(got, want) << "query " << xlat::to_string(p);
    }
  }
}

TEST(PrefixIndex, Ipv4MatchesTheScan) {
  compare_with_scan<xlat::Ipv4Prefix>([](std::mt19937& rng) {
    // A few /8s so that prefixes nest and collide often; any length 0..32.
    const uint8_t len = static_cast<uint8_t>(rng() % 33);
    const xlat::Ipv4Addr a = (10u + rng() % 3) << 24 | (rng() & 0x00ffffffu);
    return xlat::Ipv4Prefix{a & xlat::ipv4_mask(len), len};
  });
}

TEST(PrefixIndex, Ipv6MatchesTheScan) {
  compare_with_scan<xlat::Ipv6Prefix>([](std::mt19937& rng) {
    const uint8_t len = static_cast<uint8_t>(rng() % 129);
    xlat::Ipv6Addr a = *xlat::parse_ipv6("2001:db8::");
    a.b[4] = static_cast<uint8_t>(rng() % 2);
    for (int i = 5; i < 16; ++i) a.b[i] = static_cast<uint8_t>(rng() % 4 == 0 ? rng() : 0);
    return xlat::Ipv6Prefix{xlat::ipv6_masked(a, len), len};
  });
}

}  // namespace
