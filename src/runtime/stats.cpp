#include "runtime/stats.hpp"

#include <poll.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
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

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string default_control_socket(const std::string& tun) { return "/run/xlatd/" + tun + ".sock"; }

std::string render_stats(const StatsSource& src, bool json, int64_t now) {
  std::vector<WorkerStats> ws;
  for (const auto& w : *src.workers) ws.push_back(w ? w->stats() : WorkerStats{});
  auto collect = [&](auto get) {
    std::vector<uint64_t> v;
    for (const auto& s : ws) v.push_back(get(s));
    return v;
  };
  std::vector<Row> rows;
  const WorkerStats names_only{};
  for_each_counter(names_only, [&](const char* name, uint64_t) { rows.push_back({name, {}}); });
  for (const auto& s : ws) {
    size_t k = 0;
    for_each_counter(s, [&](const char*, uint64_t v) { rows[k++].values.push_back(v); });
  }
  std::vector<Row> drops;
  for (unsigned r = 1; r < xlat::kDropReasonCount; ++r) {
    Row row{std::string(xlat::drop_reason_name(static_cast<xlat::DropReason>(r))),
            collect([r](const WorkerStats& s) { return s.xlat.drops[r]; })};
    drops.push_back(std::move(row));
  }
  PoolUsage u;
  if (src.pool) u = src.pool->usage();

  std::ostringstream o;
  if (json) {
    o << "{\"tun\":\"" << json_escape(src.tun) << "\",\"uptime_seconds\":" << now - src.started
      << ",\"workers\":" << ws.size() << ",\"total\":{";
    for (size_t i = 0; i < rows.size(); ++i) o << (i ? "," : "") << '"' << rows[i].name << "\":" << sum(rows[i].values);
    o << "},\"per_worker\":[";
    for (size_t w = 0; w < ws.size(); ++w) {
      o << (w ? "," : "") << '{';
      for (size_t i = 0; i < rows.size(); ++i) o << (i ? "," : "") << '"' << rows[i].name << "\":" << rows[i].values[w];
      o << '}';
    }
    o << "],\"drops\":{";
    bool first = true;
    for (unsigned r = 1; r < xlat::kDropReasonCount; ++r) {
      const auto& d = drops[r - 1];
      o << (first ? "" : ",") << '"' << d.name << "\":{\"count\":" << sum(d.values) << ",\"explanation\":\""
        << json_escape(xlat::drop_reason_explanation(static_cast<xlat::DropReason>(r))) << "\"}";
      first = false;
    }
    o << "},\"pool\":";
    if (src.pool) {
      o << "{\"active\":" << u.active << ",\"dormant\":" << u.dormant << ",\"free\":" << u.free << '}';
    } else {
      o << "null";
    }
    o << ",\"status\":";
    if (src.status) {
      const auto st = src.status->get();
      o << "{\"state\":\"" << json_escape(st.state) << "\",\"why\":\"" << json_escape(st.why)
        << "\",\"turns\":" << st.turns << '}';
    } else {
      o << "null";
    }
    o << "}\n";
    return o.str();
  }
  o << "xlatd on " << src.tun << ", " << ws.size() << " worker" << (ws.size() == 1 ? "" : "s") << ", up "
    << now - src.started << " s\n\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-28s %14s", "", "total");
  o << line;
  for (size_t w = 0; w < ws.size(); ++w) {
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
  for (const auto& r : rows) print(r);
  o << "\ndrops (only reasons seen):\n";
  bool any = false;
  for (unsigned r = 1; r < xlat::kDropReasonCount; ++r) {
    const auto& d = drops[r - 1];
    if (sum(d.values) == 0) continue;
    any = true;
    print(d);
    o << "    " << xlat::drop_reason_explanation(static_cast<xlat::DropReason>(r)) << "\n";
  }
  if (!any) o << "  none\n";
  if (src.pool) {
    o << "\ndynamic pool: " << u.active << " active, " << u.dormant << " dormant, " << u.free << " free\n";
  }
  if (src.status) {
    const auto st = src.status->get();
    o << "\nstate: " << st.state << (st.why.empty() ? "" : " (" + st.why + ")") << "\n";
  }
  return o.str();
}

std::string render_prometheus(const StatsSource& src, int64_t now) {
  std::ostringstream o;
  std::vector<WorkerStats> ws;
  for (const auto& w : *src.workers) ws.push_back(w ? w->stats() : WorkerStats{});
  auto family = [&](const char* name, const char* help, auto get, const char* labels = "") {
    o << "# HELP xlatd_" << name << " " << help << "\n# TYPE xlatd_" << name << " counter\n";
    for (size_t w = 0; w < ws.size(); ++w) {
      o << "xlatd_" << name << "{worker=\"" << w << "\"" << labels << "} " << get(ws[w]) << "\n";
    }
  };
  family("rx_packets_total", "Packets read from the TUN.", [](const WorkerStats& s) { return s.io.rx_packets; });
  family("tx_packets_total", "Packets written to the TUN.", [](const WorkerStats& s) { return s.io.tx_packets; });
  family("tx_errors_total", "Writes the kernel refused.", [](const WorkerStats& s) { return s.io.tx_errors; });
  o << "# HELP xlatd_translated_total Packets translated, by direction.\n# TYPE xlatd_translated_total counter\n";
  for (size_t w = 0; w < ws.size(); ++w) {
    o << "xlatd_translated_total{worker=\"" << w << "\",direction=\"4to6\"} " << ws[w].xlat.translated_4to6 << "\n";
    o << "xlatd_translated_total{worker=\"" << w << "\",direction=\"6to4\"} " << ws[w].xlat.translated_6to4 << "\n";
  }
  family("fragments_made_total", "IPv6 fragments made from oversized IPv4.", [](const WorkerStats& s) { return s.xlat.fragments_made; });
  family("icmp_errors_sent_total", "ICMP errors the translator generated.", [](const WorkerStats& s) { return s.xlat.icmp_errors_sent; });
  family("icmp_errors_rate_limited_total", "ICMP errors not sent: over the rate limit.",
         [](const WorkerStats& s) { return s.xlat.icmp_errors_rate_limited; });
  family("echo_replies_total", "Pings of the translator's own address answered.", [](const WorkerStats& s) { return s.xlat.echo_replies_sent; });
  o << "# HELP xlatd_drops_total Packets not translated, by reason (see xlatd stats for explanations).\n"
    << "# TYPE xlatd_drops_total counter\n";
  for (size_t w = 0; w < ws.size(); ++w) {
    for (unsigned r = 1; r < xlat::kDropReasonCount; ++r) {
      o << "xlatd_drops_total{worker=\"" << w << "\",reason=\"" << xlat::drop_reason_name(static_cast<xlat::DropReason>(r))
        << "\"} " << ws[w].xlat.drops[r] << "\n";
    }
  }
  if (src.pool) {
    auto u = src.pool->usage();
    o << "# HELP xlatd_pool_addresses Dynamic pool addresses by state.\n# TYPE xlatd_pool_addresses gauge\n"
      << "xlatd_pool_addresses{state=\"active\"} " << u.active << "\n"
      << "xlatd_pool_addresses{state=\"dormant\"} " << u.dormant << "\n"
      << "xlatd_pool_addresses{state=\"free\"} " << u.free << "\n";
  }
  o << "# HELP xlatd_uptime_seconds Seconds since start.\n# TYPE xlatd_uptime_seconds gauge\n"
    << "xlatd_uptime_seconds " << now - src.started << "\n";
  return o.str();
}

int open_metrics_socket(const std::string& listen, std::string& error) {
  auto colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  int port = std::atoi(listen.c_str() + colon + 1);
  sockaddr_storage ss{};
  socklen_t len;
  int family;
  if (!host.empty() && host[0] == '[') {
    host = host.substr(1, host.size() - 2);
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET6, host.c_str(), &s6->sin6_addr);
    len = sizeof *s6;
    family = AF_INET6;
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, host.c_str(), &s4->sin_addr);
    len = sizeof *s4;
    family = AF_INET;
  }
  int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 8) != 0) {
    error = "metrics-listen " + listen + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

std::string metrics_reply(const StatsSource& src, int64_t now) {
  std::string body = render_prometheus(src, now);  // any path will do
  return "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

int open_control_socket(const std::string& path, std::string& error) {
  sockaddr_un sa{};
  if (path.size() >= sizeof sa.sun_path) {
    error = "control socket path too long: " + path;
    return -1;
  }
  std::string dir = path.substr(0, path.find_last_of('/'));
  if (!dir.empty()) ::mkdir(dir.c_str(), 0755);
  ::unlink(path.c_str());
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 8) != 0) {
    error = "control socket " + path + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return -1;
  }
  ::chmod(path.c_str(), 0600);
  return fd;
}

std::string control_reply(const std::string& req, const StatsSource& src, int64_t now) {
  if (req.rfind("stats", 0) != 0) return "unknown request; say \"stats\" or \"stats json\"\n";
  return render_stats(src, req.find("json") != std::string::npos, now);
}

int query_stats(const std::string& path, bool json) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, path.c_str(), sizeof sa.sun_path - 1);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    std::cerr << "xlatd stats: cannot reach the daemon at " << path << ": " << std::strerror(errno) << "\n";
    if (fd >= 0) ::close(fd);
    return 1;
  }
  std::string req = json ? "stats json\n" : "stats\n";
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) < 0) {
    ::close(fd);
    return 1;
  }
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) std::cout.write(buf, n);
  ::close(fd);
  return 0;
}

std::string counters_line(const std::vector<std::unique_ptr<Worker>>& workers, const PoolUsageSource* pool) {
  WorkerStats total;
  for (const auto& w : workers) {
    if (!w) continue;
    add_stats(total, w->stats());
  }
  std::ostringstream line;
  line << "counters: rx " << total.io.rx_packets << " tx " << total.io.tx_packets << " tx-errors "
       << total.io.tx_errors << " 4to6 " << total.xlat.translated_4to6 << " 6to4 "
       << total.xlat.translated_6to4 << " fragments " << total.xlat.fragments_made << " icmp-errors "
       << total.xlat.icmp_errors_sent << " icmp-errors-rate-limited " << total.xlat.icmp_errors_rate_limited
       << " echo-replies " << total.xlat.echo_replies_sent << " syscalls "
       << total.io.syscalls;
  for (unsigned r = 1; r < xlat::kDropReasonCount; ++r) {
    if (total.xlat.drops[r] != 0) {
      line << ' ' << xlat::drop_reason_name(static_cast<xlat::DropReason>(r)) << ' ' << total.xlat.drops[r];
    }
  }
  if (pool != nullptr) {
    auto u = pool->usage();
    line << " pool-active " << u.active << " pool-dormant " << u.dormant << " pool-free " << u.free;
  }
  return line.str();
}

}  // namespace xlatd
