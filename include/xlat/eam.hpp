// RFC 7757 Explicit Address Mappings (TAYGA's `map v4[/n] v6[/n]`).
//
// Each entry pairs an IPv4 prefix with an IPv6 prefix; the IPv4 suffix bits are copied
// right after the IPv6 prefix (RFC 7757 §3.2), so the IPv6 suffix must be at least as
// long. Lookups are longest-prefix match on the side being translated. The table is
// built once from configuration and only read while translating.
#pragma once

#include <span>
#include <vector>

#include "xlat/addr.hpp"

namespace xlat {

struct EamEntry {
  Ipv4Prefix v4;
  Ipv6Prefix v6;
};

class EamTable {
 public:
  EamTable() = default;
  // Entries must satisfy eam_entry_valid(); overlapping IPv4 sides are fine (longest
  // match wins), overlapping IPv6 sides are the configuration's job to refuse.
  explicit EamTable(std::vector<EamEntry> entries);

  bool lookup4(Ipv4Addr a, Ipv6Addr& out) const;
  bool lookup6(const Ipv6Addr& a, Ipv4Addr& out) const;

  bool empty() const { return by_v4_.empty(); }
  std::span<const EamEntry> entries() const { return by_v4_; }

 private:
  std::vector<EamEntry> by_v4_;  // longest IPv4 prefix first
  std::vector<EamEntry> by_v6_;  // longest IPv6 prefix first
};

// IPv6 suffix no shorter than the IPv4 suffix (RFC 7757 §3.2).
bool eam_entry_valid(const EamEntry& e);

}  // namespace xlat
