#pragma once

#include <cstdint>

namespace xlatd {

// systemd's watchdog (WatchdogSec= in the unit; sd_watchdog_enabled(3)): the daemon's main
// loop (signals, reloads, pool saves, host changes) says WATCHDOG=1 at least every quarter
// of the interval; a loop that hangs stops saying it and systemd restarts the service.
// Disabled (every call a no-op) unless $WATCHDOG_USEC asks for it, of this process.
class Watchdog {
 public:
  Watchdog();
  bool enabled() const { return interval_ns_ > 0; }
  // How long the loop may sleep: `ms`, or less so that a kick is never late.
  int poll_timeout_ms(int ms) const;
  // WATCHDOG=1, unless the last one went out under a quarter interval ago; `now_ns` on
  // CLOCK_MONOTONIC (mono_ns() below).
  void kick(int64_t now_ns);
  static int64_t mono_ns();

 private:
  int64_t interval_ns_ = 0;
  int64_t last_ns_ = 0;
  bool kicked_ = false;
};

}  // namespace xlatd
