// Logging: syslog (TAYGA's default), stdout, or the journal (stderr lines with <N>
// priority prefixes, which systemd's journal reads). Thread-safe, one line per call.
#pragma once

#include <cstdint>
#include <string>

namespace xlatd::log {

enum class Target { Syslog, Stdout, Journal };

void init(Target t, bool debug);
// clatd's quiet levels: 1 leaves warnings and errors, 2 leaves nothing (debug lines,
// when asked for, still go out, as in clatd).
void set_quiet(int level);
bool debug_enabled();

void error(const std::string& msg);
void warn(const std::string& msg);
void info(const std::string& msg);
void debug(const std::string& msg);

// Lines an outsider can cause at will (a node flooding the link): the first goes out,
// then at most one per `interval_seconds`, saying how many like it were held back.
class RateLimited {
 public:
  explicit RateLimited(int64_t interval_seconds = 60) : interval_(interval_seconds) {}
  // Logs `line` as a warning now, or counts it; `now` in seconds (any clock).
  void warn(const std::string& line, int64_t now);

 private:
  int64_t interval_, last_ = 0;
  bool any_ = false;
  uint64_t held_ = 0;
};

// systemd's notification (READY=1, STOPPING=1, STATUS=..., WATCHDOG=1) to $NOTIFY_SOCKET,
// through libsystemd; nothing when it is unset.
void sd_notify(const std::string& state);

}  // namespace xlatd::log
