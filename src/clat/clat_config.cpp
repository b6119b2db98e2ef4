#include "clat/clat_config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <sstream>

#include "xlat/address_map.hpp"
#include "xlat/rfc6052.hpp"

namespace xlatd::clat {

namespace {

struct Entry {
  std::string key, value, where;
  bool command_line = false;
};

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

std::string lower(std::string v) {
  for (auto& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return v;
}

// clatd's cfgbool: 1/0, true/false, on/off, yes/no, in any case.
std::optional<bool> boolean(const std::string& value) {
  std::string v = lower(value);
  if (v == "1" || v == "yes" || v == "true" || v == "on") return true;
  if (v == "0" || v == "no" || v == "false" || v == "off") return false;
  return std::nullopt;
}

// Decimal (clatd's cfgint), or 0x-hexadecimal where `hex` (route-table and ctmark, whose
// defaults clatd writes as 0xc1a7).
std::optional<uint32_t> number(const std::string& v, uint32_t max, bool hex = false) {
  uint32_t n = 0;
  const char* b = v.data();
  const char* e = v.data() + v.size();
  int base = 10;
  if (hex && v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
    b += 2;
    base = 16;
  }
  auto [p, ec] = std::from_chars(b, e, n, base);
  if (ec != std::errc() || p != e || b == e || n > max) return std::nullopt;
  return n;
}

using Setter = std::function<std::string(ClatConfig&, const std::string&)>;  // "" or an error

Setter flag(bool ClatConfig::*f) {
  return [f](ClatConfig& c, const std::string& v) -> std::string {
    auto b = boolean(v);
    if (!b) return "expected 1 or 0 (yes/no), got '" + v + "'";
    c.*f = *b;
    return "";
  };
}

Setter count(uint32_t ClatConfig::*f, uint32_t min, uint32_t max) {
  return [=](ClatConfig& c, const std::string& v) -> std::string {
    auto n = number(v, max);
    if (!n || *n < min) return "expected a number from " + std::to_string(min) + " to " + std::to_string(max) + ", got '" + v + "'";
    c.*f = *n;
    return "";
  };
}

Setter prefix(std::optional<xlat::Ipv6Prefix> ClatConfig::*f) {
  return [f](ClatConfig& c, const std::string& v) -> std::string {
    auto p = xlat::parse_ipv6_prefix(v);
    if (!p || v.find('/') == std::string::npos || !xlat::rfc6052_valid_length(p->len)) {
      return "'" + v + "' is not an RFC 6052 prefix (/32, /40, /48, /56, /64 or /96)";
    }
    // RFC 7050 §3.1 / RFC 8781: a prefix that could never carry unicast traffic.
    if (xlat::ipv6_reserved(p->addr)) return "'" + v + "' is a multicast, link-local or otherwise reserved prefix";
    if (xlat::ipv6_masked(p->addr, p->len) != p->addr) return "'" + v + "' has bits set past its length";
    c.*f = *p;
    return "";
  };
}

// A number that may not be 0 (a routing table, a connection mark), 0x-hex allowed.
template <typename Field>
Setter nonzero_number(Field ClatConfig::*f, const char* what) {
  return [f, what](ClatConfig& c, const std::string& v) -> std::string {
    auto n = number(v, 0xffffffffu, true);
    if (!n || *n == 0) return std::string("expected ") + what + " (a number, 0x... allowed), got '" + v + "'";
    c.*f = *n;
    return "";
  };
}

// A key clatd has for the external tools it runs; xlatd does that work itself.
Setter not_needed() {
  return [](ClatConfig&, const std::string&) -> std::string { return ""; };
}
constexpr const char* kToolNote = "makes these changes itself, through netlink";

struct Key {
  const char* name;
  Setter set;
  // Flags and numbers: clatd's cfgbool / cfgint fail on an empty value. Any other key
  // left empty keeps its default, as an undefined one does in clatd (a script writing
  // `tayga-v4-addr=` means "no preference").
  bool needs_value = false;
  // Accepted and not used: why (one note per key given).
  const char* note = nullptr;
};

const std::vector<Key>& table() {
  static const std::vector<Key> t = {
      {"quiet", count(&ClatConfig::quiet, 0, 9), true},
      {"debug", count(&ClatConfig::debug, 0, 9), true},
      {"cmd-ip", not_needed(), false, kToolNote},
      {"cmd-networkctl", not_needed(), false, kToolNote},
      {"cmd-nft", not_needed(), false, kToolNote},
      {"cmd-tayga", not_needed(), false, kToolNote},
      {"cmd-ufw", not_needed(), false, kToolNote},
      {"tayga-conffile", not_needed(), false, "translates itself and writes no TAYGA file"},
      {"tayga-v4-addr", [](ClatConfig& c, const std::string& v) -> std::string {
         auto a = xlat::parse_ipv4(v);
         if (!a || xlat::ipv4_reserved(*a)) return "'" + v + "' is not a unicast IPv4 address";
         c.tayga_v4_addr = *a;
         return "";
       }},
      {"ctmark", nonzero_number(&ClatConfig::ctmark, "a connection mark")},
      {"clat-dev", [](ClatConfig& c, const std::string& v) -> std::string {
         if (std::string why = interface_name_problem(v); !why.empty()) return why;
         c.clat_dev = v;
         return "";
       }},
      {"clat-v4-addr", [](ClatConfig& c, const std::string& v) -> std::string {
         auto a = xlat::parse_ipv4(v);
         // RFC 7335: the CLAT's IPv4 address comes from 192.0.0.0/29.
         if (!a || (*a & 0xfffffff8) != 0xc0000000) return "'" + v + "' is not an address in 192.0.0.0/29 (RFC 7335)";
         c.clat_v4_addr = *a;
         return "";
       }},
      {"clat-v6-addr", [](ClatConfig& c, const std::string& v) -> std::string {
         if (v == "derived" || v == "auto") {
           c.clat_v6_mode = ClatConfig::V6Mode::Derived;
           return "";
         }
         if (v == "shared") {
           c.clat_v6_mode = ClatConfig::V6Mode::Shared;
           return "";
         }
         auto a = xlat::parse_ipv6(v);
         if (!a) return "expected 'derived', 'shared' or an IPv6 address, got '" + v + "'";
         if (xlat::ipv6_reserved(*a)) return "'" + v + "' is not a unicast IPv6 address a CLAT can use";
         c.clat_v6_mode = ClatConfig::V6Mode::Fixed;
         c.clat_v6_addr = *a;
         return "";
       }},
      {"plat-prefix", prefix(&ClatConfig::plat_prefix)},
      {"plat-dev", [](ClatConfig& c, const std::string& v) -> std::string {
         c.plat_dev = v;
         return "";
       }},
      {"plat-fallback-prefix", prefix(&ClatConfig::plat_fallback_prefix)},
      {"dns64-servers", [](ClatConfig& c, const std::string& v) -> std::string {
         c.dns64_servers.clear();
         std::istringstream in(v);
         std::string s;
         while (std::getline(in, s, ',')) {
           auto a = xlat::parse_ipv6(trim(s));
           if (!a) return "'" + trim(s) + "' is not an IPv6 address";
           c.dns64_servers.push_back(*a);
         }
         return "";
       }},
      {"v4-conncheck-enable", flag(&ClatConfig::v4_conncheck_enable), true},
      {"v4-conncheck-delay", count(&ClatConfig::v4_conncheck_delay, 0, 86400), true},
      {"v4-defaultroute-enable", flag(&ClatConfig::v4_defaultroute_enable), true},
      {"v4-defaultroute-replace", flag(&ClatConfig::v4_defaultroute_replace), true},
      {"v4-defaultroute-metric", count(&ClatConfig::v4_defaultroute_metric, 0, 0xffffffffu), true},
      {"v4-defaultroute-mtu", count(&ClatConfig::v4_defaultroute_mtu, 68, 65535), true},
      {"v4-defaultroute-advmss", count(&ClatConfig::v4_defaultroute_advmss, 0, 65495), true},
      {"proxynd-enable", flag(&ClatConfig::proxynd_enable), true},
      {"forwarding-enable", flag(&ClatConfig::forwarding_enable), true},
      {"script-up", [](ClatConfig& c, const std::string& v) -> std::string {
         c.script_up = v;
         return "";
       }},
      {"script-down", [](ClatConfig& c, const std::string& v) -> std::string {
         c.script_down = v;
         return "";
       }},
      {"route-table", nonzero_number(&ClatConfig::route_table, "a routing table number")},
  };
  return t;
}

// clatd 2.1's %CFG: every key and its default ("" where clatd's is undef).
const std::map<std::string, std::string>& clatd_defaults() {
  static const std::map<std::string, std::string> d = {
      {"quiet", "0"}, {"debug", "0"}, {"script-up", ""}, {"script-down", ""},
      {"clat-dev", "clat"}, {"clat-v4-addr", "192.0.0.1"}, {"clat-v6-addr", "shared"},
      {"dns64-servers", ""}, {"cmd-ip", "ip"}, {"cmd-networkctl", "networkctl"},
      {"cmd-nft", "nft"}, {"cmd-tayga", "tayga"}, {"cmd-ufw", "ufw"}, {"ctmark", "49575"},
      {"forwarding-enable", "1"}, {"plat-dev", ""}, {"plat-prefix", ""},
      {"plat-fallback-prefix", ""}, {"proxynd-enable", "1"}, {"route-table", "49575"},
      {"tayga-conffile", ""}, {"tayga-v4-addr", "192.0.0.2"}, {"v4-conncheck-enable", "1"},
      {"v4-conncheck-delay", "10"}, {"v4-defaultroute-enable", "1"},
      {"v4-defaultroute-replace", "0"}, {"v4-defaultroute-metric", "2048"},
      {"v4-defaultroute-mtu", "1260"}, {"v4-defaultroute-advmss", "0"}};
  return d;
}

ClatLoad apply(const std::vector<Entry>& entries) {
  ClatConfig c;
  c.settings = clatd_defaults();
  ClatLoad r;
  for (const auto& e : entries) {
    std::string key = e.key;
    for (auto& ch : key) ch = ch == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto it = std::find_if(table().begin(), table().end(), [&](const Key& k) { return key == k.name; });
    if (it == table().end()) {
      // clatd: "Unknown key ... in config file ignored"; on the command line it stops.
      if (e.command_line) {
        r.errors.push_back({e.where + ": unknown key '" + e.key + "'"});
      } else {
        r.warnings.push_back(e.where + ": unknown key '" + e.key + "' ignored");
      }
      continue;
    }
    c.settings[key] = e.value;
    if (e.value.empty() && !it->needs_value) {
      c.settings[key] = clatd_defaults().at(key);
      continue;
    }
    std::string err = it->set(c, e.value);
    if (!err.empty()) {
      r.errors.push_back({e.where + ": " + key + ": " + err});
    } else if (it->note != nullptr) {
      r.warnings.push_back(e.where + ": " + key + ": accepted and not used: xlatd " + it->note);
    }
  }
  if (c.v4_defaultroute_advmss != 0 && c.v4_defaultroute_advmss + 40 > c.v4_defaultroute_mtu) {
    r.errors.push_back({"configuration: v4-defaultroute-advmss: larger than v4-defaultroute-mtu - 40"});
  }
  if (c.tayga_v4_addr && *c.tayga_v4_addr == c.clat_v4_addr) {
    r.errors.push_back({"configuration: tayga-v4-addr: must differ from clat-v4-addr"});
  }
  if (r.errors.empty()) r.config = c;
  return r;
}

// Android's clatd (a different daemon) also reads a file named clatd.conf, with
// "key value" lines; a file in that format is refused rather than ignored line by line.
bool android_clatd_line(const std::string& t) {
  for (const char* k : {"ipv6_host_id", "ipv4_local_subnet", "plat_from_dns64", "plat_subnet"}) {
    std::string key(k);
    if (t.compare(0, key.size(), key) == 0 && (t.size() == key.size() || t[key.size()] == ' ' ||
                                               t[key.size()] == '\t' || t[key.size()] == '_')) {
      return true;
    }
  }
  return false;
}

// clatd's readconf: comment lines start with `#`, `;` or `//`; a setting is
// `key = value` with everything after the `=` the value (no inline comments: a script
// may contain `#`); any other line warns and is ignored.
std::vector<Entry> lex_key_values(const std::string& text, const std::string& name,
                                  std::vector<ConfigError>& errors, std::vector<std::string>& warnings) {
  std::vector<Entry> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string where = name + ":" + std::to_string(n);
    if (std::string why = config_line_problem(line); !why.empty()) {
      errors.push_back({where + ": " + why});
      continue;
    }
    std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';' || t.rfind("//", 0) == 0) continue;
    if (android_clatd_line(t)) {
      errors.push_back({where + ": '" + t + "' is Android's clatd.conf format (another program); "
                        "this reads the key=value settings of clatd (toreanderson/clatd)"});
      return {};
    }
    auto eq = t.find('=');
    std::string key = eq == std::string::npos ? "" : trim(t.substr(0, eq));
    bool word = !key.empty() && std::all_of(key.begin(), key.end(), [](unsigned char ch) {
      return std::isalnum(ch) || ch == '_' || ch == '-';
    });
    if (!word) {
      warnings.push_back(where + ": unknown line '" + t + "' ignored");
      continue;
    }
    out.push_back({key, trim(t.substr(eq + 1)), where});
  }
  return out;
}

std::vector<Entry> lex_toml_keys(const std::string& text, const std::string& name, std::vector<ConfigError>& errors) {
  std::vector<Entry> out;
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    errors.push_back({name + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description())});
    return out;
  }
  for (const auto& [k, v] : root) {
    std::string where = name + ":" + std::to_string(v.source().begin.line);
    std::string value;
    if (auto s = v.as_string()) value = s->get();
    else if (auto i = v.as_integer()) value = std::to_string(i->get());
    else if (auto b = v.as_boolean()) value = b->get() ? "1" : "0";
    else if (auto a = v.as_array()) {
      for (const auto& el : *a) {
        if (auto s = el.as_string()) value += (value.empty() ? "" : ",") + s->get();
      }
    } else {
      errors.push_back({where + ": " + std::string(k.str()) + ": expected a string, number, boolean or list"});
      continue;
    }
    out.push_back({std::string(k.str()), value, where});
  }
  return out;
}

}  // namespace

ClatLoad parse_clat_text(const std::string& text, const std::string& name, bool toml,
                         const std::vector<std::string>& overrides) {
  std::vector<ConfigError> errors;
  std::vector<std::string> warnings;
  auto entries = toml ? lex_toml_keys(text, name, errors) : lex_key_values(text, name, errors, warnings);
  for (const auto& o : overrides) {
    auto eq = o.find('=');
    if (eq == std::string::npos) {
      errors.push_back({"command line: expected key=value, got '" + o + "'"});
      continue;
    }
    entries.push_back({trim(o.substr(0, eq)), trim(o.substr(eq + 1)), "command line", true});
  }
  ClatLoad r = apply(entries);
  r.warnings.insert(r.warnings.begin(), warnings.begin(), warnings.end());
  if (!errors.empty()) {
    errors.insert(errors.end(), r.errors.begin(), r.errors.end());
    r.errors = std::move(errors);
    r.config.reset();
  }
  return r;
}

ClatLoad load_clat_config(const std::string& file, const std::vector<std::string>& overrides) {
  std::string text;
  if (!file.empty()) {
    std::ifstream f(file);
    if (!f) {
      ClatLoad r;
      r.errors.push_back({file + ": cannot read the configuration file"});
      return r;
    }
    std::ostringstream s;
    s << f.rdbuf();
    text = s.str();
  }
  bool toml = file.size() > 5 && file.compare(file.size() - 5, 5, ".toml") == 0;
  return parse_clat_text(text, file.empty() ? "defaults" : file, toml, overrides);
}

}  // namespace xlatd::clat
