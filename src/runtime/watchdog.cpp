#include "runtime/watchdog.hpp"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <ctime>

#include "runtime/log.hpp"

namespace xlatd {

Watchdog::Watchdog() {
  uint64_t usec = 0;
  // 0 = not asked (or asked of another pid), > 0 = asked; < 0 = a malformed variable.
  if (sd_watchdog_enabled(0, &usec) > 0) interval_ns_ = static_cast<int64_t>(usec) * 1000;
}

int Watchdog::poll_timeout_ms(int ms) const {
  if (!enabled()) return ms;
  return static_cast<int>(std::min<int64_t>(ms, std::max<int64_t>(1, interval_ns_ / 4 / 1'000'000)));
}

void Watchdog::kick(int64_t now_ns) {
  if (!enabled() || (kicked_ && now_ns - last_ns_ < interval_ns_ / 4)) return;
  log::sd_notify("WATCHDOG=1");
  kicked_ = true;
  last_ns_ = now_ns;
}

int64_t Watchdog::mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace xlatd
