// Serves `xlatd stats` (the control socket) and Prometheus scrapes (metrics-listen) on a
// thread of its own, so that no client can hold up the daemon's main loop (signals,
// SIGHUP reloads, pool saves, the CLAT's host tracking):
// - every client socket is non-blocking; a request is read for at most kRequestMs (what
//   came by then is the request), and a client that has not taken its whole answer
//   kClientMs after it connected is dropped;
// - at most kMaxClients are served at once; more wait in the listen backlog.
#pragma once

#include <string>
#include <thread>

#include "runtime/stats.hpp"

namespace xlatd {

class StatsServer {
 public:
  static constexpr unsigned kMaxClients = 16;
  static constexpr int kRequestMs = 200;
  static constexpr int kClientMs = 2000;

  // Either listening socket may be -1 (not configured). The sockets stay the caller's.
  StatsServer(int control_fd, int metrics_fd, StatsSource src)
      : control_(control_fd), metrics_(metrics_fd), src_(std::move(src)) {}
  ~StatsServer() { stop(); }
  StatsServer(const StatsServer&) = delete;
  StatsServer& operator=(const StatsServer&) = delete;

  bool start(std::string& error);
  void stop();

 private:
  void loop();
  int control_, metrics_;
  StatsSource src_;
  int stop_fd_ = -1;
  std::thread thread_;
};

}  // namespace xlatd
