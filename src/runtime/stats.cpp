#include "runtime/stats.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>

namespace xlatd {

namespace {

struct Row {
  std::string name;
  std::vector<uint64_t> values;  // per worker
};

uint64_t sum(const std::vector<uint64_t>& v) {
  uint64_t s = 0;
  for (auto x : v) s += x;
  return s;
}

// One row per counter of the table, then one per drop reason (1 ...), each with its
// per-worker values.
std::vector<Row> counter_rows(const StatsSnapshot& s) {
  std::vector<Row> rows;
  for (const auto& c : kCounters) rows.push_back({c.name, {}});
  for (const auto& w : s.workers) {
    size_t k = 0;
    for_each_counter(w, [&](const CounterInfo&, uint64_t v) { rows[k++].values.push_back(v); });
  }
  return rows;
}

std::vector<Row> drop_rows(const StatsSnapshot& s) {
  std::vector<Row> rows;
  for (unsigned r = 1; r < xlat::kDropReasonCount; ++r) {
    Row row{std::string(xlat::drop_reason_name(static_cast<xlat::DropReason>(r))), {}};
    for (const auto& w : s.workers) row.values.push_back(w.xlat.drops[r]);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string_view explanation(unsigned r) { return xlat::drop_reason_explanation(static_cast<xlat::DropReason>(r)); }

}  // namespace

StatsSnapshot snapshot(const StatsSource& src, int64_t now) {
  StatsSnapshot s;
  s.tun = src.tun;
  s.uptime = now - src.started;
  for (const auto& w : *src.workers) s.workers.push_back(w ? w->stats() : WorkerStats{});
  if (src.pool) s.pool = src.pool->usage();
  if (src.status) s.status = src.status->get();
  if (src.fast_path) s.fast_path = src.fast_path->counters();
  return s;
}

// Built with nlohmann::json (Debian's nlohmann-json3-dev): escaping is its job. Keys
// keep the order written (ordered_json), so the output reads like the table. A name
// that is not UTF-8 (a TUN name is bytes) is written with U+FFFD in place of the bad
// bytes, never as invalid JSON and never as an exception.
std::string render_json(const StatsSnapshot& s) {
  using Json = nlohmann::ordered_json;
  const auto rows = counter_rows(s);
  const auto drops = drop_rows(s);
  Json out;
  out["tun"] = s.tun;
  out["uptime_seconds"] = s.uptime;
  out["workers"] = s.workers.size();
  Json& total = out["total"] = Json::object();
  for (const auto& r : rows) total[r.name] = sum(r.values);
  Json& per_worker = out["per_worker"] = Json::array();
  for (size_t w = 0; w < s.workers.size(); ++w) {
    Json one = Json::object();
    for (const auto& r : rows) one[r.name] = r.values[w];
    per_worker.push_back(std::move(one));
  }
  Json& drop = out["drops"] = Json::object();
  for (size_t i = 0; i < drops.size(); ++i) {
    drop[drops[i].name] = {{"count", sum(drops[i].values)},
                           {"explanation", std::string(explanation(static_cast<unsigned>(i + 1)))}};
  }
  out["pool"] = nullptr;
  if (s.pool) out["pool"] = {{"active", s.pool->active}, {"dormant", s.pool->dormant}, {"free", s.pool->free}};
  out["fast_path"] = nullptr;
  if (s.fast_path) {
    Json fp = Json::object();
    for (unsigned i = 0; i < FP_COUNTERS; ++i) fp[std::string(fast_path_counter_info(i).name)] = (*s.fast_path)[i];
    out["fast_path"] = std::move(fp);
  }
  out["status"] = nullptr;
  if (s.status) out["status"] = {{"state", s.status->state}, {"why", s.status->why}, {"turns", s.status->turns}};
  return out.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string render_table(const StatsSnapshot& s) {
  std::ostringstream o;
  o << "xlatd on " << s.tun << ", " << s.workers.size() << " worker" << (s.workers.size() == 1 ? "" : "s") << ", up "
    << s.uptime << " s\n\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-28s %14s", "", "total");
  o << line;
  for (size_t w = 0; w < s.workers.size(); ++w) {
    std::snprintf(line, sizeof line, " %12s", ("worker " + std::to_string(w)).c_str());
    o << line;
  }
  o << "\n";
  auto print = [&](const Row& r) {
    std::snprintf(line, sizeof line, "%-28s %14llu", r.name.c_str(), static_cast<unsigned long long>(sum(r.values)));
    o << line;
    for (auto v : r.values) {
      std::snprintf(line, sizeof line, " %12llu", static_cast<unsigned long long>(v));
      o << line;
    }
    o << "\n";
  };
  for (const auto& r : counter_rows(s)) print(r);
  o << "\ndrops (only reasons seen):\n";
  const auto drops = drop_rows(s);
  bool any = false;
  for (size_t i = 0; i < drops.size(); ++i) {
    if (sum(drops[i].values) == 0) continue;
    any = true;
    print(drops[i]);
    o << "    " << explanation(static_cast<unsigned>(i + 1)) << "\n";
  }
  if (!any) o << "  none\n";
  if (s.pool) o << "\ndynamic pool: " << s.pool->active << " active, " << s.pool->dormant << " dormant, " << s.pool->free << " free\n";
  if (s.fast_path) {
    o << "\nfast path (in the kernel, all CPUs):\n";
    for (unsigned i = 0; i < FP_COUNTERS; ++i) {
      char line[96];
      std::snprintf(line, sizeof line, "  %-24s %12llu\n", fast_path_counter_info(i).name,
                    static_cast<unsigned long long>((*s.fast_path)[i]));
      o << line;
    }
  }
  if (s.status) o << "\nstate: " << s.status->state << (s.status->why.empty() ? "" : " (" + s.status->why + ")") << "\n";
  return o.str();
}

std::string render_prometheus(const StatsSnapshot& s) {
  std::ostringstream o;
  // One family per distinct kCounters family, in table order; its members told apart
  // by their label, every worker its own series.
  for (size_t i = 0; i < kCounters.size(); ++i) {
    const std::string_view family = kCounters[i].family;
    bool first = true;
    for (size_t j = 0; j < i; ++j) first = first && family != kCounters[j].family;
    if (!first) continue;
    o << "# HELP xlatd_" << family << " " << kCounters[i].help << "\n# TYPE xlatd_" << family << " counter\n";
    for (size_t w = 0; w < s.workers.size(); ++w) {
      size_t k = 0;
      for_each_counter(s.workers[w], [&](const CounterInfo& c, uint64_t v) {
        if (k++ < i || c.family != family) return;
        o << "xlatd_" << family << "{worker=\"" << w << "\"" << (*c.label ? "," : "") << c.label << "} " << v << "\n";
      });
    }
  }
  o << "# HELP xlatd_drops_total Packets not translated, by reason (see xlatd stats for explanations).\n"
    << "# TYPE xlatd_drops_total counter\n";
  for (size_t w = 0; w < s.workers.size(); ++w) {
    for (unsigned r = 1; r < xlat::kDropReasonCount; ++r) {
      o << "xlatd_drops_total{worker=\"" << w << "\",reason=\"" << xlat::drop_reason_name(static_cast<xlat::DropReason>(r))
        << "\"} " << s.workers[w].xlat.drops[r] << "\n";
    }
  }
  if (s.pool) {
    o << "# HELP xlatd_pool_addresses Dynamic pool addresses by state.\n# TYPE xlatd_pool_addresses gauge\n"
      << "xlatd_pool_addresses{state=\"active\"} " << s.pool->active << "\n"
      << "xlatd_pool_addresses{state=\"dormant\"} " << s.pool->dormant << "\n"
      << "xlatd_pool_addresses{state=\"free\"} " << s.pool->free << "\n";
  }
  if (s.fast_path) {
    o << "# HELP xlatd_fast_path_packets_total Packets the kernel fast path translated or passed up, by outcome.\n"
      << "# TYPE xlatd_fast_path_packets_total counter\n";
    for (unsigned i = 0; i < FP_COUNTERS; ++i) {
      o << "xlatd_fast_path_packets_total{outcome=\"" << fast_path_counter_info(i).name << "\"} " << (*s.fast_path)[i] << "\n";
    }
  }
  o << "# HELP xlatd_uptime_seconds Seconds since start.\n# TYPE xlatd_uptime_seconds gauge\n"
    << "xlatd_uptime_seconds " << s.uptime << "\n";
  return o.str();
}

std::string counters_line(const StatsSnapshot& s) {
  WorkerStats total;
  for (const auto& w : s.workers) add_stats(total, w);
  std::ostringstream line;
  line << "counters:";
  for_each_counter(total, [&](const CounterInfo& c, uint64_t v) { line << ' ' << c.name << ' ' << v; });
  for (unsigned r = 1; r < xlat::kDropReasonCount; ++r) {
    if (total.xlat.drops[r] != 0) {
      line << ' ' << xlat::drop_reason_name(static_cast<xlat::DropReason>(r)) << ' ' << total.xlat.drops[r];
    }
  }
  if (s.pool) line << " pool-active " << s.pool->active << " pool-dormant " << s.pool->dormant << " pool-free " << s.pool->free;
  if (s.fast_path) {
    for (unsigned i = 0; i < FP_COUNTERS; ++i) line << " fast-path-" << fast_path_counter_info(i).name << ' ' << (*s.fast_path)[i];
  }
  return line.str();
}

std::string render_stats(const StatsSource& src, bool json, int64_t now) {
  const StatsSnapshot s = snapshot(src, now);
  return json ? render_json(s) : render_table(s);
}

std::string render_prometheus(const StatsSource& src, int64_t now) { return render_prometheus(snapshot(src, now)); }

std::string counters_line(const std::vector<std::unique_ptr<Worker>>& workers, const PoolUsageSource* pool,
                          const FastPath* fast_path) {
  const StatsSource src{"", 0, &workers, pool, nullptr, fast_path};
  return counters_line(snapshot(src, 0));
}

}  // namespace xlatd
