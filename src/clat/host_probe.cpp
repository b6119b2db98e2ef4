#include "clat/host_probe.hpp"

#include <arpa/inet.h>

#include <fstream>
#include <sstream>

namespace xlatd::clat {

namespace {

std::optional<xlat::Ipv6Addr> hex_ipv6(const std::string& h) {
  if (h.size() != 32) return std::nullopt;
  xlat::Ipv6Addr a;
  for (size_t i = 0; i < 16; ++i) {
    unsigned v = 0;
    std::istringstream in(h.substr(2 * i, 2));
    if (!(in >> std::hex >> v)) return std::nullopt;
    a.b[i] = static_cast<uint8_t>(v);
  }
  return a;
}

bool hex(const std::string& s, uint32_t& out) {
  try {
    size_t used = 0;
    unsigned long v = std::stoul(s, &used, 16);
    if (used != s.size()) return false;
    out = static_cast<uint32_t>(v);
    return true;
  } catch (...) {
    return false;
  }
}

}  // namespace

std::vector<Ipv6Route> parse_ipv6_routes(const std::string& text) {
  // dst dst_len src src_len next_hop metric refcnt use flags dev (all hex but dev)
  std::vector<Ipv6Route> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string dst, dlen, src, slen, nh, metric, ref, use, flags, dev;
    if (!(f >> dst >> dlen >> src >> slen >> nh >> metric >> ref >> use >> flags >> dev)) continue;
    auto a = hex_ipv6(dst);
    uint32_t len = 0, m = 0, fl = 0;
    if (!a || !hex(dlen, len) || len > 128 || !hex(metric, m) || !hex(flags, fl)) continue;
    constexpr uint32_t kRtfUp = 0x1, kRtfReject = 0x200;
    if (!(fl & kRtfUp) || (fl & kRtfReject)) continue;
    out.push_back({{*a, static_cast<uint8_t>(len)}, m, dev});
  }
  return out;
}

std::vector<Ipv6IfAddr> parse_if_inet6(const std::string& text) {
  // address ifindex prefix_len scope flags dev (hex but dev)
  std::vector<Ipv6IfAddr> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string addr, idx, plen, scope, flags, dev;
    if (!(f >> addr >> idx >> plen >> scope >> flags >> dev)) continue;
    auto a = hex_ipv6(addr);
    uint32_t len = 0, sc = 0, fl = 0;
    if (!a || !hex(plen, len) || len > 128 || !hex(scope, sc) || !hex(flags, fl)) continue;
    constexpr uint32_t kTentative = 0x40, kDadFailed = 0x08, kDeprecated = 0x20;
    out.push_back({*a, static_cast<uint8_t>(len), dev, sc == 0,
                   (fl & (kTentative | kDadFailed | kDeprecated)) == 0});
  }
  return out;
}

std::vector<Ipv4DefaultRoute> parse_ipv4_default_routes(const std::string& text) {
  // Iface Destination Gateway Flags RefCnt Use Metric Mask ... (hex, little-endian words)
  std::vector<Ipv4DefaultRoute> out;
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string dev, dst, gw, flags, ref, use, metric, mask;
    if (!(f >> dev >> dst >> gw >> flags >> ref >> use >> metric >> mask)) continue;
    uint32_t d = 0, g = 0, fl = 0, m = 0, mk = 0;
    if (!hex(dst, d) || !hex(gw, g) || !hex(flags, fl) || !hex(mask, mk)) continue;
    m = static_cast<uint32_t>(std::strtoul(metric.c_str(), nullptr, 10));
    if (d != 0 || mk != 0 || !(fl & 0x1)) continue;
    // The kernel prints the network-order word as a host integer.
    out.push_back({dev, ntohl(g), m});
  }
  return out;
}

std::vector<Nameserver> parse_resolv_conf(const std::string& text) {
  std::vector<Nameserver> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string key, value;
    if (!(f >> key >> value) || key != "nameserver") continue;
    if (auto pct = value.find('%'); pct != std::string::npos) value.resize(pct);
    if (auto v4 = xlat::parse_ipv4(value)) {
      out.push_back({false, *v4, {}});
    } else if (auto v6 = xlat::parse_ipv6(value)) {
      out.push_back({true, 0, *v6});
    }
  }
  return out;
}

std::string uplink_toward(const std::vector<Ipv6Route>& routes, const xlat::Ipv6Addr& dst,
                          const std::string& exclude) {
  const Ipv6Route* best = nullptr;
  for (const auto& r : routes) {
    if (r.dev == "lo" || r.dev == exclude || !r.dst.contains(dst)) continue;
    if (best == nullptr || r.dst.len > best->dst.len || (r.dst.len == best->dst.len && r.metric < best->metric)) {
      best = &r;
    }
  }
  return best == nullptr ? "" : best->dev;
}

std::optional<xlat::Ipv6Addr> uplink_address(const std::vector<Ipv6IfAddr>& addrs, const std::string& dev) {
  for (const auto& a : addrs) {
    if (a.dev == dev && a.global && a.usable) return a.addr;
  }
  return std::nullopt;
}

std::optional<xlat::Ipv6Prefix> uplink_prefix(const std::vector<Ipv6IfAddr>& addrs, const std::string& dev) {
  auto a = uplink_address(addrs, dev);
  if (!a) return std::nullopt;
  return xlat::Ipv6Prefix{xlat::ipv6_masked(*a, 64), 64};
}

std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace xlatd::clat
