// `xlatd stats`: the counters of a running daemon over a Unix control socket, as a
// table (with an explanation for every drop reason seen) or as JSON.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "io/fastpath.hpp"
#include "runtime/mode_status.hpp"
#include "runtime/pool_usage.hpp"
#include "runtime/worker.hpp"

namespace xlatd {

struct StatsSource {
  std::string tun;
  int64_t started = 0;  // Unix seconds
  const std::vector<std::unique_ptr<Worker>>* workers = nullptr;
  const PoolUsageSource* pool = nullptr;
  const ModeStatus* status = nullptr;  // the CLAT's state; none for the PLAT
  const FastPath* fast_path = nullptr;  // the kernel fast path, when it runs
};

// What every view shows, read once: the workers' published counters, the pool's
// usage, the mode's status.
struct StatsSnapshot {
  std::string tun;
  int64_t uptime = 0;
  std::vector<WorkerStats> workers;
  std::optional<PoolUsage> pool;
  std::optional<ModeStatus::Snapshot> status;
  std::optional<FastPathCounters> fast_path;
};
StatsSnapshot snapshot(const StatsSource& src, int64_t now);

// The views, pure, each generated from the one counter table (counters.hpp): the
// `xlatd stats` table, its JSON, the Prometheus exposition and the SIGUSR1 line.
std::string render_table(const StatsSnapshot& s);
std::string render_json(const StatsSnapshot& s);
std::string render_prometheus(const StatsSnapshot& s);
std::string counters_line(const StatsSnapshot& s);

std::string render_stats(const StatsSource& src, bool json, int64_t now);

// Listening socket for the daemon's main loop; -1 with `error` on failure.
int open_control_socket(const std::string& path, std::string& error);
// The answer to a control-socket request ("stats" or "stats json"); stats_server.hpp
// serves it.
std::string control_reply(const std::string& request, const StatsSource& src, int64_t now);
// Client side: asks the daemon at `path`; prints the answer. Returns an exit code.
int query_stats(const std::string& path, bool json);

std::string default_control_socket(const std::string& tun);

// Prometheus text exposition format (version 0.0.4) of the same counters.
std::string render_prometheus(const StatsSource& src, int64_t now);
// "addr:port" / "[addr6]:port" -> listening TCP socket; -1 with `error`.
int open_metrics_socket(const std::string& listen, std::string& error);
// The HTTP answer to a scrape (any path).
std::string metrics_reply(const StatsSource& src, int64_t now);

// One log line with the totals of every worker (SIGUSR1 and exit).
std::string counters_line(const std::vector<std::unique_ptr<Worker>>& workers, const PoolUsageSource* pool,
                          const FastPath* fast_path = nullptr);

}  // namespace xlatd
