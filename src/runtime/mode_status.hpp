// What a mode's main loop last decided, for `xlatd stats`: the loop writes it once a
// turn, the stats thread reads it. `turns` counts the loop's turns, so that a client can
// wait until the loop has looked again after an event instead of waiting for a time.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

namespace xlatd {

class ModeStatus {
 public:
  struct Snapshot {
    std::string state;  // e.g. "translating", "idle", "refused"
    std::string why;
    uint64_t turns = 0;
  };

  // One loop turn ended in `state` for `why`.
  void turn(std::string state, std::string why) {
    std::lock_guard<std::mutex> g(m_);
    s_.state = std::move(state);
    s_.why = std::move(why);
    ++s_.turns;
  }
  Snapshot get() const {
    std::lock_guard<std::mutex> g(m_);
    return s_;
  }

 private:
  mutable std::mutex m_;
  Snapshot s_;
};

}  // namespace xlatd
