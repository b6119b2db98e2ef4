#include "clat/pref64_tracker.hpp"

#include <algorithm>

namespace xlatd::clat {

const Pref64Tracker::Entry* Pref64Tracker::newest() const {
  const Entry* best = nullptr;
  for (const auto& e : entries_) {
    if (best == nullptr || e.order > best->order) best = &e;
  }
  return best;
}

std::optional<xlat::Ipv6Prefix> Pref64Tracker::current() const {
  const Entry* e = newest();
  if (e == nullptr) return std::nullopt;
  return e->prefix;
}

std::optional<int64_t> Pref64Tracker::remaining(int64_t now) const {
  const Entry* e = newest();
  if (e == nullptr) return std::nullopt;
  return std::max<int64_t>(0, e->expires - now);
}

bool Pref64Tracker::on_router_advertisement(const xlat::Ipv6Addr& router, const std::vector<Pref64>& options,
                                            int64_t now) {
  const auto before = current();
  for (const auto& o : options) {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Entry& e) { return e.router == router && e.prefix == o.prefix; });
    if (o.lifetime_seconds == 0) {
      if (it != entries_.end()) entries_.erase(it);
      continue;
    }
    const int64_t expires = now + o.lifetime_seconds;
    if (it != entries_.end()) {
      it->expires = expires;
      it->order = ++arrivals_;
    } else {
      entries_.push_back({router, o.prefix, expires, ++arrivals_});
    }
  }
  return current() != before;
}

bool Pref64Tracker::expire(int64_t now) {
  const auto before = current();
  std::erase_if(entries_, [now](const Entry& e) { return e.expires <= now; });
  return current() != before;
}

}  // namespace xlatd::clat
