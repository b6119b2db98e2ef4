#include "runtime/log.hpp"

#include <systemd/sd-daemon.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace xlatd::log {

namespace {

Target g_target = Target::Stdout;
bool g_debug = false;
int g_quiet = 0;
std::mutex g_mutex;

void emit(int prio, const char* word, const std::string& msg) {
  if (prio == LOG_DEBUG && !g_debug) return;
  if (prio == LOG_INFO && g_quiet >= 1) return;
  if ((prio == LOG_WARNING || prio == LOG_ERR) && g_quiet >= 2) return;
  switch (g_target) {
    case Target::Syslog:
      syslog(prio, "%s", msg.c_str());
      break;
    case Target::Journal: {
      std::lock_guard<std::mutex> lock(g_mutex);
      std::fprintf(stderr, "<%d>%s\n", prio, msg.c_str());
      std::fflush(stderr);
      break;
    }
    case Target::Stdout: {
      char ts[32];
      std::time_t now = std::time(nullptr);
      std::tm tm{};
      localtime_r(&now, &tm);
      std::strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S", &tm);
      std::lock_guard<std::mutex> lock(g_mutex);
      std::fprintf(stdout, "%s xlatd %s: %s\n", ts, word, msg.c_str());
      std::fflush(stdout);
      break;
    }
  }
}

}  // namespace

void init(Target t, bool debug) {
  g_target = t;
  g_debug = debug;
  if (t == Target::Syslog) openlog("xlatd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

bool debug_enabled() { return g_debug; }

void set_quiet(int level) { g_quiet = level; }

void error(const std::string& msg) { emit(LOG_ERR, "error", msg); }
void warn(const std::string& msg) { emit(LOG_WARNING, "warning", msg); }
void info(const std::string& msg) { emit(LOG_INFO, "info", msg); }
void debug(const std::string& msg) { emit(LOG_DEBUG, "debug", msg); }

// libsystemd's sender: it gets the address right for file and abstract (@name) sockets
// alike, which a hand-written one did not (the abstract name's length).
void sd_notify(const std::string& state) { ::sd_notify(0, state.c_str()); }

void RateLimited::warn(const std::string& line, int64_t now) {
  if (any_ && now - last_ < interval_) {
    ++held_;
    return;
  }
  xlatd::log::warn(held_ == 0 ? line : line + " (and " + std::to_string(held_) + " more like it)");
  any_ = true;
  last_ = now;
  held_ = 0;
}

}  // namespace xlatd::log
