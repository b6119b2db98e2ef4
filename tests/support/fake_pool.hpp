// A dynamic pool for tests: a fixed range, addresses handed out in order.
#pragma once

#include <map>

#include "xlat/translator.hpp"

namespace testpkt {

class FakePool : public xlat::DynamicPool {
 public:
  FakePool(xlat::Ipv4Prefix range, unsigned capacity) : range_(range), capacity_(capacity) {}

  bool covers(xlat::Ipv4Addr a) const override { return range_.contains(a); }
  bool lookup4(xlat::Ipv4Addr a, xlat::Ipv6Addr& out) override {
    for (auto& [v6, v4] : map_) {
      if (v4 == a) {
        out = v6;
        return true;
      }
    }
    return false;
  }
  Result lookup6(const xlat::Ipv6Addr& a, xlat::Ipv4Addr& out, bool assign) override {
    auto it = map_.find(a);
    if (it != map_.end()) {
      out = it->second;
      return Result::Found;
    }
    if (!assign) return Result::NotFound;
    if (map_.size() >= capacity_) return Result::Exhausted;
    out = range_.addr + 1 + static_cast<xlat::Ipv4Addr>(map_.size());
    map_[a] = out;
    return Result::Found;
  }
  size_t size() const { return map_.size(); }

 private:
  xlat::Ipv4Prefix range_;
  unsigned capacity_;
  std::map<xlat::Ipv6Addr, xlat::Ipv4Addr> map_;
};

}  // namespace testpkt
