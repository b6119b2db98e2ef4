// RFC 8781 §5: the PREF64 prefixes a host has heard in Router Advertisements on its
// uplink, each valid for its lifetime and owned by the router that sent it. Pure: the
// caller passes the time.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "clat/prefix_discovery.hpp"
#include "xlat/addr.hpp"

namespace xlatd::clat {

class Pref64Tracker {
 public:
  // One RA's PREF64 options from `router`, received at `now` (seconds, monotonic).
  // RFC 8781 §4: "A lifetime of 0 indicates that the prefix is no longer valid": the
  // router's entry for that prefix is removed. Returns true when current() changed.
  bool on_router_advertisement(const xlat::Ipv6Addr& router, const std::vector<Pref64>& options, int64_t now);
  // Forgets entries whose lifetime ran out; returns true when current() changed.
  bool expire(int64_t now);
  // Forgets everything (the uplink changed: RFC 8781 §5, a prefix belongs to the
  // interface it was learned on).
  void clear() { entries_.clear(); }

  // The prefix to use: the most recently advertised valid one (RFC 8781 §5 leaves the
  // choice among several routers to the host; the newest reflects the network now).
  std::optional<xlat::Ipv6Prefix> current() const;
  // Seconds until `current()` expires, from `now`; nullopt without a prefix.
  std::optional<int64_t> remaining(int64_t now) const;

 private:
  struct Entry {
    xlat::Ipv6Addr router;
    xlat::Ipv6Prefix prefix;
    int64_t expires;
    uint64_t order;  // arrival order: later RAs win
  };
  const Entry* newest() const;
  std::vector<Entry> entries_;
  uint64_t arrivals_ = 0;
};

}  // namespace xlatd::clat
