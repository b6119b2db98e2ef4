#include "clat/clat_config.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <fstream>
#include <functional>
#include <sstream>

#include "xlat/rfc6052.hpp"

namespace xlatd::clat {

namespace {

struct Entry {
  std::string key, value, where;
};

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

std::optional<bool> boolean(const std::string& v) {
  if (v == "1" || v == "yes" || v == "true" || v == "on") return true;
  if (v == "0" || v == "no" || v == "false" || v == "off") return false;
  return std::nullopt;
}

std::optional<uint32_t> number(const std::string& v, uint32_t max) {
  uint32_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || v.empty() || n > max) return std::nullopt;
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
    c.*f = *p;
    return "";
  };
}

const std::vector<std::pair<std::string, Setter>>& table() {
  static const std::vector<std::pair<std::string, Setter>> t = {
      {"clat-dev", [](ClatConfig& c, const std::string& v) -> std::string {
         if (v.empty() || v.size() > 15) return "interface names are 1 to 15 characters";
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
           c.clat_v6_derived = true;
           return "";
         }
         auto a = xlat::parse_ipv6(v);
         if (!a) return "expected 'derived' or an IPv6 address, got '" + v + "'";
         c.clat_v6_derived = false;
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
      {"v4-conncheck-enable", flag(&ClatConfig::v4_conncheck_enable)},
      {"v4-conncheck-delay", count(&ClatConfig::v4_conncheck_delay, 0, 86400)},
      {"v4-defaultroute-enable", flag(&ClatConfig::v4_defaultroute_enable)},
      {"v4-defaultroute-replace", flag(&ClatConfig::v4_defaultroute_replace)},
      {"v4-defaultroute-metric", count(&ClatConfig::v4_defaultroute_metric, 0, 0xffffffffu)},
      {"v4-defaultroute-mtu", count(&ClatConfig::v4_defaultroute_mtu, 68, 65535)},
      {"v4-defaultroute-advmss", count(&ClatConfig::v4_defaultroute_advmss, 0, 65495)},
      {"proxynd-enable", flag(&ClatConfig::proxynd_enable)},
      {"forwarding-enable", flag(&ClatConfig::forwarding_enable)},
      {"script-up", [](ClatConfig& c, const std::string& v) -> std::string {
         c.script_up = v;
         return "";
       }},
      {"script-down", [](ClatConfig& c, const std::string& v) -> std::string {
         c.script_down = v;
         return "";
       }},
      {"route-table", [](ClatConfig& c, const std::string& v) -> std::string {
         auto n = number(v, 0xffffffffu);
         if (!n || *n == 0) return "expected a routing table number, got '" + v + "'";
         c.route_table = *n;
         return "";
       }},
  };
  return t;
}

ClatLoad apply(const std::vector<Entry>& entries) {
  ClatConfig c;
  ClatLoad r;
  for (const auto& e : entries) {
    std::string key = e.key;
    for (auto& ch : key) ch = ch == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto it = std::find_if(table().begin(), table().end(), [&](const auto& t) { return t.first == key; });
    if (it == table().end()) {
      r.errors.push_back({e.where + ": unknown key '" + e.key + "'"});
      continue;
    }
    std::string err = it->second(c, e.value);
    if (!err.empty()) r.errors.push_back({e.where + ": " + key + ": " + err});
  }
  if (c.v4_defaultroute_advmss != 0 && c.v4_defaultroute_advmss + 40 > c.v4_defaultroute_mtu) {
    r.errors.push_back({"configuration: v4-defaultroute-advmss: larger than v4-defaultroute-mtu - 40"});
  }
  if (r.errors.empty()) r.config = c;
  return r;
}

std::vector<Entry> lex_key_values(const std::string& text, const std::string& name, std::vector<ConfigError>& errors) {
  std::vector<Entry> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    auto eq = t.find('=');
    std::string where = name + ":" + std::to_string(n);
    if (eq == std::string::npos) {
      errors.push_back({where + ": expected key=value, got '" + t + "'"});
      continue;
    }
    std::string value = trim(t.substr(eq + 1));
    auto hash = value.find(" #");
    if (hash != std::string::npos) value = trim(value.substr(0, hash));
    out.push_back({trim(t.substr(0, eq)), value, where});
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
  auto entries = toml ? lex_toml_keys(text, name, errors) : lex_key_values(text, name, errors);
  for (const auto& o : overrides) {
    auto eq = o.find('=');
    if (eq == std::string::npos) {
      errors.push_back({"command line: expected key=value, got '" + o + "'"});
      continue;
    }
    entries.push_back({trim(o.substr(0, eq)), trim(o.substr(eq + 1)), "command line"});
  }
  ClatLoad r = apply(entries);
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
