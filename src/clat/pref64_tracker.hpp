// RFC 8781 §5: the PREF64 prefixes a host has heard in Router Advertisements on its
// uplink, each valid for its lifetime and owned by the router that sent it. Pure: the
// caller passes the time.
//
// Which prefix the CLAT uses, when several routers (or a rogue node on the link) speak
// (RFC 8781 §5 leaves the choice to the host):
// - the prefix in use is kept while it is valid: another node's announcement never
//   moves it, so two sources cannot make it flap (each move re-claims the CLAT address
//   and breaks the IPv4 sessions);
// - a router's latest RA with PREF64 options is its whole list: a prefix it no longer
//   lists is gone (that is how the owning router moves its own prefix), lifetime 0
//   withdraws at once (RFC 8781 §4);
// - when a new choice is needed (nothing in use, or it expired or was withdrawn), a
//   default router's prefix (its RA had a nonzero router lifetime, RFC 4861 §6.3.4)
//   comes before another node's, and among equals the longest-standing one;
// - state is bounded: at most kMaxPerRouter prefixes per router and kMaxEntries in all.
//   When full, an entry other than the one in use makes room (another node's before a
//   default router's, the soonest to expire first); else the announcement is not
//   learned (counted in `not_learned()`). Every operation is O(kMaxEntries).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clat/prefix_discovery.hpp"
#include "xlat/addr.hpp"

namespace xlatd::clat {

// Why a PREF64 prefix cannot be a NAT64 prefix for this host ("" when it can): reserved
// space (multicast, link-local, ::/8 with ::ffff:0:0/96, RFC 7050 §3.1 applied to RAs)
// or an overlap with the uplink's own prefix (the host's own neighbours would be
// "translated").
std::string pref64_problem(const xlat::Ipv6Prefix& prefix, const std::optional<xlat::Ipv6Prefix>& uplink_prefix);

class Pref64Tracker {
 public:
  static constexpr size_t kMaxPerRouter = 4;
  static constexpr size_t kMaxEntries = 16;

  // One RA's PREF64 options from `router` (default_router: its router lifetime was not
  // 0), received at `now` (seconds, monotonic). Returns true when current() changed.
  bool on_router_advertisement(const xlat::Ipv6Addr& router, bool default_router, const std::vector<Pref64>& options,
                               int64_t now);
  // Forgets entries whose lifetime ran out; returns true when current() changed.
  bool expire(int64_t now);
  // Forgets everything (the uplink changed: RFC 8781 §5, a prefix belongs to the
  // interface it was learned on).
  void clear() {
    entries_.clear();
    selected_.reset();
  }

  std::optional<xlat::Ipv6Prefix> current() const;
  // The router whose prefix is in use.
  std::optional<xlat::Ipv6Addr> current_router() const;
  // Seconds until `current()` expires, from `now`; nullopt without a prefix.
  std::optional<int64_t> remaining(int64_t now) const;
  uint64_t not_learned() const { return not_learned_; }

 private:
  struct Entry {
    xlat::Ipv6Addr router;
    xlat::Ipv6Prefix prefix;
    int64_t expires;
    bool default_router;
    uint64_t learned;  // when first heard (arrival order), kept across refreshes
  };
  const Entry* selected() const;
  void reselect();
  bool make_room(bool for_default_router);
  std::vector<Entry> entries_;
  std::optional<std::pair<xlat::Ipv6Addr, xlat::Ipv6Prefix>> selected_;
  uint64_t arrivals_ = 0, not_learned_ = 0;
};

}  // namespace xlatd::clat
