#include "clat/host_probe.hpp"

#include <fstream>
#include <sstream>

namespace xlatd::clat {

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
