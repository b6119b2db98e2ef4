// clatd.conf's keys, as one table for the shared engine (config/directive_table.hpp), in
// the order of clatd 2.1's %CFG. clatd's rules: a later line or the command line replaces
// a value; `key=` (undefined in clatd) keeps the default, except for flags and numbers,
// which clatd's cfgbool / cfgint refuse empty.
#include "clat/clat_config.hpp"

#include <sstream>

#include "config/directive_table.hpp"
#include "config/lexers.hpp"
#include "config/values.hpp"
#include "xlat/address_map.hpp"
#include "xlat/rfc6052.hpp"

namespace xlatd::clat {

namespace {

using Ctx = DirectiveContext<ClatConfig>;
using Args = std::vector<std::string>;
using Key = Directive<ClatConfig>;

constexpr TableRules kClatdRules{"key", true, true, "="};

std::string optional_text(const std::optional<xlat::Ipv6Prefix>& p) { return p ? xlat::to_string(*p) : ""; }

// Every key reads one value (everything after '='), and a later one wins.
Key key(const char* name, std::function<void(Ctx&, const std::string&)> set,
        std::function<std::string(const ClatConfig&)> show, bool empty_keeps_default = true) {
  Key k{name, 1, 1, Repeat::LastWins, [set](Ctx& c, const Args& a) { set(c, a[0]); }, nullptr, empty_keeps_default};
  if (show) k.show = [show](const ClatConfig& c, Shown& s) { s.values.push_back(show(c)); };
  return k;
}

// clatd's cfgbool: a flag, shown as 1 or 0 as clatd writes them.
Key flag(const char* name, bool ClatConfig::*f) {
  return key(name, [f](Ctx& c, const std::string& v) {
    auto b = parse_bool(v);
    if (!b) return c.error(std::string("expected ") + kBoolWords + ", got '" + v + "'");
    c.target.*f = *b;
  }, [f](const ClatConfig& c) { return std::string(c.*f ? "1" : "0"); }, false);
}

// clatd's cfgint: a decimal number in [min, max].
Key count(const char* name, uint32_t ClatConfig::*f, uint32_t min, uint32_t max) {
  return key(name, [=](Ctx& c, const std::string& v) {
    auto n = parse_number(v, max);
    if (!n || *n < min) {
      return c.error("expected a number from " + std::to_string(min) + " to " + std::to_string(max) + ", got '" + v + "'");
    }
    c.target.*f = static_cast<uint32_t>(*n);
  }, [f](const ClatConfig& c) { return std::to_string(c.*f); }, false);
}

// A NAT64 prefix a CLAT may translate to.
Key prefix(const char* name, std::optional<xlat::Ipv6Prefix> ClatConfig::*f) {
  return key(name, [f](Ctx& c, const std::string& v) {
    auto p = xlat::parse_ipv6_prefix(v);
    if (!p || v.find('/') == std::string::npos || !xlat::rfc6052_valid_length(p->len)) {
      return c.error("'" + v + "' is not an RFC 6052 prefix (/32, /40, /48, /56, /64 or /96)");
    }
    // RFC 7050 §3.1 / RFC 8781: a prefix that could never carry unicast traffic.
    if (xlat::ipv6_reserved(p->addr)) return c.error("'" + v + "' is a multicast, link-local or otherwise reserved prefix");
    if (xlat::ipv6_masked(p->addr, p->len) != p->addr) return c.error("'" + v + "' has bits set past its length");
    c.target.*f = *p;
  }, [f](const ClatConfig& c) { return optional_text(c.*f); });
}

// A number that may not be 0 (a routing table, a connection mark), 0x-hex allowed as in
// clatd's defaults (0xc1a7).
template <typename Field>
Key nonzero_number(const char* name, Field ClatConfig::*f, const char* what) {
  return key(name, [f, what](Ctx& c, const std::string& v) {
    auto n = parse_number(v, 0xffffffffu, true);
    if (!n || *n == 0) return c.error(std::string("expected ") + what + " (a number, 0x... allowed), got '" + v + "'");
    c.target.*f = static_cast<uint32_t>(*n);
  }, [f](const ClatConfig& c) {
    if constexpr (std::is_same_v<Field, uint32_t>) {
      return std::to_string(c.*f);
    } else {
      return (c.*f) ? std::to_string(*(c.*f)) : std::string();
    }
  });
}

Key text(const char* name, std::string ClatConfig::*f) {
  return key(name, [f](Ctx& c, const std::string& v) { c.target.*f = v; },
             [f](const ClatConfig& c) { return c.*f; });
}

// A key clatd has for the external tools it runs; xlatd does that work itself.
Key not_needed(const char* name, const char* why) {
  Key k = key(name, [](Ctx&, const std::string&) {}, nullptr);
  k.unused = why;
  return k;
}
constexpr const char* kToolNote = "accepted and not used: xlatd makes these changes itself, through netlink";

std::string v6_mode(const ClatConfig& c) {
  switch (c.clat_v6_mode) {
    case ClatConfig::V6Mode::Shared: return "shared";
    case ClatConfig::V6Mode::Derived: return "derived";
    case ClatConfig::V6Mode::Fixed: return xlat::to_string(c.clat_v6_addr);
  }
  return "shared";
}

const std::vector<Key>& clatd_table() {
  static const std::vector<Key> t = {
      count("quiet", &ClatConfig::quiet, 0, 9),
      count("debug", &ClatConfig::debug, 0, 9),
      not_needed("cmd-ip", kToolNote),
      not_needed("cmd-networkctl", kToolNote),
      not_needed("cmd-nft", kToolNote),
      not_needed("cmd-tayga", kToolNote),
      not_needed("cmd-ufw", kToolNote),
      not_needed("tayga-conffile", "accepted and not used: xlatd translates itself and writes no TAYGA file"),
      key("tayga-v4-addr", [](Ctx& c, const std::string& v) {
        auto a = xlat::parse_ipv4(v);
        if (!a || xlat::ipv4_reserved(*a)) return c.error("'" + v + "' is not a unicast IPv4 address");
        c.target.tayga_v4_addr = *a;
      }, [](const ClatConfig& c) { return c.tayga_v4_addr ? xlat::to_string(*c.tayga_v4_addr) : ""; }),
      nonzero_number("ctmark", &ClatConfig::ctmark, "a connection mark"),
      key("clat-dev", [](Ctx& c, const std::string& v) {
        if (std::string why = interface_name_problem(v); !why.empty()) return c.error(why);
        c.target.clat_dev = v;
      }, [](const ClatConfig& c) { return c.clat_dev; }),
      key("clat-v4-addr", [](Ctx& c, const std::string& v) {
        auto a = xlat::parse_ipv4(v);
        // RFC 7335: the CLAT's IPv4 address comes from 192.0.0.0/29.
        if (!a || (*a & 0xfffffff8) != 0xc0000000) return c.error("'" + v + "' is not an address in 192.0.0.0/29 (RFC 7335)");
        c.target.clat_v4_addr = *a;
      }, [](const ClatConfig& c) { return xlat::to_string(c.clat_v4_addr); }),
      key("clat-v6-addr", [](Ctx& c, const std::string& v) {
        if (v == "derived" || v == "auto") {
          c.target.clat_v6_mode = ClatConfig::V6Mode::Derived;
          return;
        }
        if (v == "shared") {
          c.target.clat_v6_mode = ClatConfig::V6Mode::Shared;
          return;
        }
        auto a = xlat::parse_ipv6(v);
        if (!a) return c.error("expected 'derived', 'shared' or an IPv6 address, got '" + v + "'");
        if (xlat::ipv6_reserved(*a)) return c.error("'" + v + "' is not a unicast IPv6 address a CLAT can use");
        c.target.clat_v6_mode = ClatConfig::V6Mode::Fixed;
        c.target.clat_v6_addr = *a;
      }, v6_mode),
      prefix("plat-prefix", &ClatConfig::plat_prefix),
      text("plat-dev", &ClatConfig::plat_dev),
      prefix("plat-fallback-prefix", &ClatConfig::plat_fallback_prefix),
      key("dns64-servers", [](Ctx& c, const std::string& v) {
        c.target.dns64_servers.clear();
        std::istringstream in(v);
        std::string s;
        while (std::getline(in, s, ',')) {
          auto a = xlat::parse_ipv6(trim(s));
          if (!a) return c.error("'" + trim(s) + "' is not an IPv6 address");
          c.target.dns64_servers.push_back(*a);
        }
      }, [](const ClatConfig& c) {
        std::string s;
        for (const auto& a : c.dns64_servers) s += (s.empty() ? "" : ",") + xlat::to_string(a);
        return s;
      }),
      flag("v4-conncheck-enable", &ClatConfig::v4_conncheck_enable),
      count("v4-conncheck-delay", &ClatConfig::v4_conncheck_delay, 0, 86400),
      flag("v4-defaultroute-enable", &ClatConfig::v4_defaultroute_enable),
      flag("v4-defaultroute-replace", &ClatConfig::v4_defaultroute_replace),
      count("v4-defaultroute-metric", &ClatConfig::v4_defaultroute_metric, 0, 0xffffffffu),
      count("v4-defaultroute-mtu", &ClatConfig::v4_defaultroute_mtu, 68, 65535),
      count("v4-defaultroute-advmss", &ClatConfig::v4_defaultroute_advmss, 0, 65495),
      flag("proxynd-enable", &ClatConfig::proxynd_enable),
      flag("forwarding-enable", &ClatConfig::forwarding_enable),
      text("script-up", &ClatConfig::script_up),
      text("script-down", &ClatConfig::script_down),
      nonzero_number("route-table", &ClatConfig::route_table, "a routing table number"),
      // xlatd's own: the kernel fast path on the CLAT device (on by default).
      flag("fast-path", &ClatConfig::fast_path),
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

// Android's clatd (a different daemon) also reads a file named clatd.conf, with
// "key value" lines; a file in that format is refused rather than ignored line by line.
std::string android_clatd_line(const std::string& t) {
  for (const char* k : {"ipv6_host_id", "ipv4_local_subnet", "plat_from_dns64", "plat_subnet"}) {
    std::string key(k);
    if (t.compare(0, key.size(), key) == 0 && (t.size() == key.size() || t[key.size()] == ' ' ||
                                               t[key.size()] == '\t' || t[key.size()] == '_')) {
      return "'" + t + "' is Android's clatd.conf format (another program); "
             "this reads the key=value settings of clatd (toreanderson/clatd)";
    }
  }
  return "";
}

// The TOML form of clatd.conf: a string is the whole value, booleans are 1 and 0, a
// list is clatd's comma-separated list (dns64-servers).
constexpr TomlForm kClatdToml{false, "1", "0", nullptr, true};

ClatLoad apply(const std::vector<DirectiveLine>& lines) {
  Applied<ClatConfig> a = apply_directives<ClatConfig>(clatd_table(), kClatdRules, lines);
  ClatConfig& c = a.target;
  // What script-up / script-down see: clatd's %CFG, its defaults overlaid by every key
  // given (an empty value is clatd's undef: the default).
  c.settings = clatd_defaults();
  // xlatd's own keys (fast-path) are not in clatd's %CFG: the value given, if any.
  for (const auto& [name, given] : a.given) {
    const auto d = clatd_defaults().find(name);
    if (!given.args[0].empty()) {
      c.settings[name] = given.args[0];
    } else if (d != clatd_defaults().end()) {
      c.settings[name] = d->second;
    }
  }
  if (c.v4_defaultroute_advmss != 0 && c.v4_defaultroute_advmss + 40 > c.v4_defaultroute_mtu) {
    a.errors.push_back({"configuration: v4-defaultroute-advmss: larger than v4-defaultroute-mtu - 40"});
  }
  if (c.tayga_v4_addr && *c.tayga_v4_addr == c.clat_v4_addr) {
    a.errors.push_back({"configuration: tayga-v4-addr: must differ from clat-v4-addr"});
  }
  ClatLoad r;
  r.errors = std::move(a.errors);
  r.warnings = std::move(a.warnings);
  if (r.errors.empty()) r.config = std::move(c);
  return r;
}

}  // namespace

ClatLoad parse_clat_text(const std::string& text, const std::string& name, bool toml,
                         const std::vector<std::string>& overrides) {
  std::vector<ConfigError> errors;
  std::vector<std::string> warnings;
  auto lines = toml ? lex_toml(text, name, kClatdToml, errors)
                    : lex_key_values(text, name, errors, warnings, android_clatd_line);
  for (auto& l : lex_command_line(overrides, errors)) lines.push_back(std::move(l));
  ClatLoad r = apply(lines);
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
  if (!file.empty() && !read_text_file(file, text)) {
    ClatLoad r;
    r.errors.push_back({file + ": cannot read the configuration file"});
    return r;
  }
  bool toml = file.size() > 5 && file.compare(file.size() - 5, 5, ".toml") == 0;
  return parse_clat_text(text, file.empty() ? "defaults" : file, toml, overrides);
}

// The translator's own IPv4 address (source of the ICMPv4 errors it makes): the
// neighbour of clat-v4-addr inside 192.0.0.0/29, as clatd gives TAYGA 192.0.0.2.
xlat::Ipv4Addr ClatConfig::translator_address() const {
  if (tayga_v4_addr) return *tayga_v4_addr;
  return (clat_v4_addr & 7) >= 6 ? clat_v4_addr - 1 : clat_v4_addr + 1;
}

xlat::TranslatorConfig ClatConfig::translator(uint32_t mtu, const std::optional<xlat::Ipv6Prefix>& plat_prefix,
                                              const xlat::Ipv6Addr& clat_v6) const {
  xlat::TranslatorConfig t;
  t.own_v4 = translator_address();
  t.mtu4 = t.mtu6 = mtu;
  // Applications send IPv4 UDP without checksums; the CLAT can compute them when the
  // packet is whole (RFC 7915 §4.5 allows it), which beats dropping them.
  t.udp_zero_checksum = xlat::UdpZeroChecksum::Calculate;
  if (plat_prefix) {
    t.prefix = *plat_prefix;
    // RFC 6877 §6.3: the host's one IPv4 address maps to the CLAT's own IPv6 address;
    // every other IPv4 address maps through the PLAT prefix (RFC 6052).
    t.eam = xlat::EamTable({{{clat_v4_addr, 32}, {clat_v6, 128}}});
    t.own_v6 = xlat::rfc6052_embed(*plat_prefix, t.own_v4);
    t.hairpinning = false;  // whatever the default: replies to clat-v6-addr are for the host
  }
  return t;
}

std::string describe_clat_config(const ClatConfig& c) {
  return show_directives<ClatConfig>(clatd_table(), kClatdRules, c);
}

}  // namespace xlatd::clat
