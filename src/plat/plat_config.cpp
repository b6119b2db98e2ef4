#include "plat/plat_config.hpp"

#include <sstream>

#include "config/lexers.hpp"

namespace xlatd {

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

// The TOML form of tayga.conf: a string is the words of a line; an array repeats a
// repeatable directive (map, tun-ip, tun-route) once per element, or gives the
// arguments of any other (log).
bool repeatable(const std::string& name) { return name == "map" || name == "tun-ip" || name == "tun-route"; }
constexpr TomlForm kTaygaToml{true, "yes", "no", repeatable, false};

}  // namespace

PlatLoad parse_plat_text(const std::string& text, const std::string& name, bool toml) {
  std::vector<ConfigError> errors;
  auto lines = toml ? lex_toml(text, name, kTaygaToml, errors) : lex_tayga_conf(text, name, errors);
  PlatLoad r = apply_tayga_directives(lines, name);
  if (!errors.empty()) {
    errors.insert(errors.end(), r.errors.begin(), r.errors.end());
    r.errors = std::move(errors);
    r.config.reset();
  }
  return r;
}

PlatLoad load_plat_config(const std::string& path) {
  std::string text;
  if (!read_text_file(path, text)) {
    PlatLoad r;
    r.errors.push_back({path + ": cannot read the configuration file"});
    return r;
  }
  return parse_plat_text(text, path, looks_like_toml(path, text));
}

xlat::TranslatorConfig PlatConfig::translator(uint32_t tun_mtu,
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

std::string PlatConfig::describe() const {
  return "# effective configuration of " + source + "\n" + show_tayga_directives(*this);
}

}  // namespace xlatd
