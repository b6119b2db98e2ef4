#include "clat/pref64_tracker.hpp"

#include <algorithm>

#include "xlat/address_map.hpp"

namespace xlatd::clat {

std::string pref64_problem(const xlat::Ipv6Prefix& prefix, const std::optional<xlat::Ipv6Prefix>& uplink_prefix) {
  if (xlat::ipv6_reserved(prefix.addr)) return "a multicast, link-local or otherwise reserved prefix";
  if (uplink_prefix && prefix.overlaps(*uplink_prefix)) {
    return "it overlaps the uplink's own prefix " + xlat::to_string(*uplink_prefix);
  }
  return "";
}

const Pref64Tracker::Entry* Pref64Tracker::selected() const {
  if (!selected_) return nullptr;
  for (const auto& e : entries_) {
    if (e.router == selected_->first && e.prefix == selected_->second) return &e;
  }
  return nullptr;
}

void Pref64Tracker::reselect() {
  if (selected() != nullptr) return;  // kept while valid
  const Entry* best = nullptr;
  for (const auto& e : entries_) {
    if (best == nullptr || (e.default_router && !best->default_router) ||
        (e.default_router == best->default_router && e.learned < best->learned)) {
      best = &e;
    }
  }
  if (best == nullptr) {
    selected_.reset();
  } else {
    selected_ = std::pair{best->router, best->prefix};
  }
}

std::optional<xlat::Ipv6Prefix> Pref64Tracker::current() const {
  const Entry* e = selected();
  if (e == nullptr) return std::nullopt;
  return e->prefix;
}

std::optional<xlat::Ipv6Addr> Pref64Tracker::current_router() const {
  const Entry* e = selected();
  if (e == nullptr) return std::nullopt;
  return e->router;
}

std::optional<int64_t> Pref64Tracker::remaining(int64_t now) const {
  const Entry* e = selected();
  if (e == nullptr) return std::nullopt;
  return std::max<int64_t>(0, e->expires - now);
}

bool Pref64Tracker::make_room(bool for_default_router) {
  // Never the prefix in use; another node's before a default router's; the one that
  // would expire first.
  const Entry* in_use = selected();
  auto victim = entries_.end();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (&*it == in_use || (it->default_router && !for_default_router)) continue;
    if (victim == entries_.end() || (victim->default_router && !it->default_router) ||
        (victim->default_router == it->default_router && it->expires < victim->expires)) {
      victim = it;
    }
  }
  if (victim == entries_.end()) return false;
  entries_.erase(victim);
  return true;
}

bool Pref64Tracker::on_router_advertisement(const xlat::Ipv6Addr& router, bool default_router,
                                            const std::vector<Pref64>& options, int64_t now) {
  const auto before = current();
  // The router's latest list replaces its earlier one; what it still lists keeps the
  // time it was first learned.
  std::vector<Entry> previous;
  std::erase_if(entries_, [&](const Entry& e) {
    if (e.router != router) return false;
    previous.push_back(e);
    return true;
  });
  size_t mine = 0;
  for (const auto& o : options) {
    if (o.lifetime_seconds == 0) continue;  // RFC 8781 §4: no longer valid
    bool listed = false;
    for (const auto& e : entries_) listed = listed || (e.router == router && e.prefix == o.prefix);
    if (listed) continue;  // the same prefix twice in one RA
    if (mine == kMaxPerRouter || (entries_.size() >= kMaxEntries && !make_room(default_router))) {
      ++not_learned_;
      continue;
    }
    uint64_t learned = ++arrivals_;
    for (const auto& p : previous) {
      if (p.prefix == o.prefix) learned = p.learned;
    }
    entries_.push_back({router, o.prefix, now + o.lifetime_seconds, default_router, learned});
    ++mine;
  }
  reselect();
  return current() != before;
}

bool Pref64Tracker::expire(int64_t now) {
  const auto before = current();
  std::erase_if(entries_, [now](const Entry& e) { return e.expires <= now; });
  reselect();
  return current() != before;
}

}  // namespace xlatd::clat
