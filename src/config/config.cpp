#include "config/config.hpp"

#include <fstream>
#include <sstream>

#include "config/directives.hpp"

namespace xlatd {

std::string config_line_problem(const std::string& line) {
  if (line.size() > kMaxConfigLine) return "the line is longer than " + std::to_string(kMaxConfigLine) + " bytes";
  if (line.find('\0') != std::string::npos) return "the line contains a NUL byte";
  return "";
}

std::string interface_name_problem(const std::string& name) {
  if (name.empty() || name.size() > 15) return "interface names are 1 to 15 characters";
  if (name == "." || name == "..") return "'" + name + "' is not an interface name";
  for (unsigned char ch : name) {
    if (ch == '/' || ch == ':' || ch <= ' ' || ch == 0x7f) {
      return "'" + name + "' is not an interface name (no '/', ':', spaces or control characters)";
    }
  }
  return "";
}

bool read_text_file(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream s;
  s << f.rdbuf();
  out = s.str();
  return true;
}

namespace {

// TOML by extension, else by content: the first meaningful line of a TOML file is a
// `key = value` or a `[table]`; a tayga.conf line is `directive arguments...`.
bool looks_like_toml(const std::string& path, const std::string& text) {
  if (path.size() > 5 && path.compare(path.size() - 5, 5, ".toml") == 0) return true;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    size_t i = line.find_first_not_of(" \t\r");
    if (i == std::string::npos || line[i] == '#') continue;
    if (line[i] == '[') return true;
    size_t eq = line.find('=');
    size_t space = line.find_first_of(" \t", i);
    return eq != std::string::npos && (space == std::string::npos || eq < line.find_first_not_of(" \t", space) + 1);
  }
  return false;
}

std::string flag_list(const LogFlags& l) {
  std::string s;
  for (auto [on, name] : {std::pair{l.drop, "drop"}, {l.reject, "reject"}, {l.icmp, "icmp"},
                          {l.self, "self"}, {l.dyn, "dyn"}}) {
    if (on) s += std::string(s.empty() ? "" : " ") + name;
  }
  return s;
}

std::string tun_address(const TunAddress& t) {
  return t.v6 ? xlat::to_string(t.v6addr) : xlat::to_string(t.v4);
}

}  // namespace

LoadResult parse_config_text(const std::string& text, const std::string& name, bool toml) {
  std::vector<ConfigError> errors;
  auto lines = toml ? lex_toml(text, name, errors) : lex_tayga_conf(text, name, errors);
  LoadResult r = apply_directives(lines, name);
  if (!errors.empty()) {
    errors.insert(errors.end(), r.errors.begin(), r.errors.end());
    r.errors = std::move(errors);
    r.config.reset();
  }
  return r;
}

LoadResult load_config(const std::string& path) {
  std::string text;
  if (!read_text_file(path, text)) {
    LoadResult r;
    r.errors.push_back({path + ": cannot read the configuration file"});
    return r;
  }
  return parse_config_text(text, path, looks_like_toml(path, text));
}

xlat::TranslatorConfig Config::translator(uint32_t tun_mtu,
                                          const std::vector<MapDirective>& extra_maps) const {
  xlat::TranslatorConfig t;
  t.prefix = prefix;
  std::vector<xlat::EamEntry> eam;
  for (const auto& m : maps) eam.push_back({m.v4, m.v6});
  for (const auto& m : extra_maps) eam.push_back({m.v4, m.v6});
  t.eam = xlat::EamTable(std::move(eam));
  t.own_v4 = ipv4_addr;
  t.own_v6 = ipv6_addr;
  t.wkpf_strict = wkpf_strict;
  t.udp_zero_checksum = udp_cksum_mode;
  t.hairpinning = hairpin;
  t.mtu4 = tun_mtu;
  t.mtu6 = tun_mtu;
  t.lowest_ipv6_mtu = offlink_mtu;
  t.icmp_errors_per_second = icmp_rate;
  t.icmp_error_burst = icmp_burst;
  return t;
}

std::string Config::describe() const {
  std::ostringstream s;
  s << "# effective configuration of " << source << "\n";
  s << "tun-device " << tun_device << "\n";
  s << "ipv4-addr " << xlat::to_string(ipv4_addr) << "\n";
  // A derived ipv6-addr is shown as a comment: written out, it would lie inside the
  // prefix, which TAYGA (and so xlatd) refuses.
  s << (ipv6_addr_given ? "" : "# ") << "ipv6-addr " << xlat::to_string(ipv6_addr)
    << (ipv6_addr_given ? "" : "  (prefix + ipv4-addr)") << "\n";
  if (prefix) s << "prefix " << xlat::to_string(*prefix) << "\n";
  for (const auto& m : maps) s << "map " << xlat::to_string(m.v4) << " " << xlat::to_string(m.v6) << "\n";
  if (dynamic_pool) s << "dynamic-pool " << xlat::to_string(*dynamic_pool) << "\n";
  if (!data_dir.empty()) s << "data-dir " << data_dir << "\n";
  s << "wkpf-strict " << (wkpf_strict ? "yes" : "no") << "\n";
  s << "udp-cksum-mode "
    << (udp_cksum_mode == xlat::UdpZeroChecksum::Drop ? "drop"
        : udp_cksum_mode == xlat::UdpZeroChecksum::Reject ? "reject"
        : udp_cksum_mode == xlat::UdpZeroChecksum::Forward ? "fwd" : "calc") << "\n";
  if (!flag_list(log).empty()) s << "log " << flag_list(log) << "\n";
  s << "offlink-mtu " << offlink_mtu << "\n";
  if (!map_file.empty()) s << "map-file " << map_file << "\n";
  if (workers) s << "workers " << *workers << "\n";
  if (tun_up) s << "tun-up " << (*tun_up ? "yes" : "no") << "\n";
  s << "offload " << (offload ? "yes" : "no") << "\n";
  s << "hairpin " << (hairpin ? "yes" : "no") << "\n";
  s << "icmp-rate-limit " << icmp_rate << " " << icmp_burst << "\n";
  if (!metrics_listen.empty()) s << "metrics-listen " << metrics_listen << "\n";
  for (const auto& t : tun_ip) s << "tun-ip " << tun_address(t) << "\n";
  for (const auto& t : tun_route) s << "tun-route " << tun_address(t) << "\n";
  return s.str();
}

}  // namespace xlatd
