#include "config/directives.hpp"

#include "config/prefix_index.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <map>
#include <sstream>

#include "xlat/address_map.hpp"
#include "xlat/eam.hpp"
#include "xlat/rfc6052.hpp"

namespace xlatd {

namespace {

using xlat::Ipv4Prefix;
using xlat::Ipv6Prefix;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

struct Ctx {
  Config cfg;
  std::vector<ConfigError> errors;
  const DirectiveLine* line = nullptr;

  void error(const std::string& what) {
    errors.push_back({line->where + ": " + lower(line->name) + ": " + what});
  }
  void warn(const std::string& what) {
    cfg.warnings.push_back(line->where + ": " + lower(line->name) + ": " + what);
  }
};

std::optional<bool> parse_bool(const std::string& s) {
  std::string v = lower(s);
  if (v == "yes" || v == "on" || v == "true" || v == "1") return true;
  if (v == "no" || v == "off" || v == "false" || v == "0") return false;
  return std::nullopt;
}

std::optional<unsigned long> parse_number(const std::string& s) {
  unsigned long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

void set_bool(Ctx& c, const std::string& arg, bool& out) {
  auto b = parse_bool(arg);
  if (!b) return c.error("expected yes or no, got '" + arg + "'");
  out = *b;
}

// IPv4 or IPv6 address with an optional length, for tun-ip / tun-route.
std::optional<TunAddress> parse_tun_address(const std::string& s) {
  TunAddress t;
  if (s.find(':') != std::string::npos) {
    auto p = xlat::parse_ipv6_prefix(s);
    if (!p) return std::nullopt;
    t.v6 = true;
    t.v6addr = *p;
  } else {
    auto p = xlat::parse_ipv4_prefix(s);
    if (!p) return std::nullopt;
    t.v4 = *p;
  }
  return t;
}

// TAYGA refuses 0/8, 127/8, multicast and broadcast in ipv4-addr, map and dynamic-pool,
// and allows 169.254/16 (with a warning here).
bool reserved_not_link_local(xlat::Ipv4Addr a) {
  return xlat::ipv4_reserved(a) && !xlat::ipv4_link_local(a);
}

using Handler = void (*)(Ctx&, const std::vector<std::string>&);

struct Directive {
  const char* name;
  int min_args;
  int max_args;  // -1: any number
  bool repeatable;
  Handler apply;
};

// TAYGA 0.9.2 and the maintained TAYGA (0.9.6+), in the order of TAYGA's man page.
const Directive kDirectives[] = {
    {"tun-device", 1, 1, false, [](Ctx& c, const auto& a) {
       if (std::string why = interface_name_problem(a[0]); !why.empty()) return c.error(why);
       c.cfg.tun_device = a[0];
     }},
    {"ipv4-addr", 1, 1, false, [](Ctx& c, const auto& a) {
       auto v = xlat::parse_ipv4(a[0]);
       if (!v) return c.error("'" + a[0] + "' is not an IPv4 address");
       if (reserved_not_link_local(*v)) {
         return c.error(a[0] + " is reserved (0/8, 127/8, 224/4 or broadcast) and cannot be the translator's address");
       }
       if (xlat::ipv4_link_local(*v)) c.warn(a[0] + " is link-local (169.254/16)");
       c.cfg.ipv4_addr = *v;
     }},
    {"ipv6-addr", 1, 1, false, [](Ctx& c, const auto& a) {
       auto v = xlat::parse_ipv6(a[0]);
       if (!v) return c.error("'" + a[0] + "' is not an IPv6 address");
       if (xlat::ipv6_reserved(*v)) return c.error(a[0] + " is a reserved IPv6 address");
       c.cfg.ipv6_addr = *v;
       c.cfg.ipv6_addr_given = true;
     }},
    {"prefix", 1, 1, false, [](Ctx& c, const auto& a) {
       auto p = xlat::parse_ipv6_prefix(a[0]);
       if (!p || a[0].find('/') == std::string::npos) return c.error("'" + a[0] + "' is not an IPv6 prefix (address/length)");
       if (!xlat::rfc6052_valid_length(p->len)) {
         return c.error("length /" + std::to_string(p->len) + " is not one of 32, 40, 48, 56, 64, 96 (RFC 6052)");
       }
       if (xlat::ipv6_masked(p->addr, p->len) != p->addr) return c.error(a[0] + " has bits set past its length");
       if (p->len == 96 && p->addr.b[8] != 0) return c.error(a[0] + ": bits 64-71 must be zero (RFC 6052 2.2)");
       c.cfg.prefix = *p;
     }},
    {"map", 2, 2, true, [](Ctx& c, const auto& a) {
       auto v4 = xlat::parse_ipv4_prefix(a[0]);
       auto v6 = xlat::parse_ipv6_prefix(a[1]);
       if (!v4) return c.error("'" + a[0] + "' is not an IPv4 address or prefix");
       if (!v6) return c.error("'" + a[1] + "' is not an IPv6 address or prefix");
       if (32 - v4->len != 128 - v6->len) {
         return c.error("prefix lengths /" + std::to_string(v4->len) + " and /" + std::to_string(v6->len) +
                        " leave different numbers of host bits (32-n4 must equal 128-n6)");
       }
       if ((v4->addr & ~xlat::ipv4_mask(v4->len)) != 0) return c.error(a[0] + " has host bits set");
       if (xlat::ipv6_masked(v6->addr, v6->len) != v6->addr) return c.error(a[1] + " has host bits set");
       if (reserved_not_link_local(v4->addr)) return c.error(a[0] + " is a reserved IPv4 range");
       if (xlat::ipv4_link_local(v4->addr)) c.warn(a[0] + " is link-local (169.254/16)");
       if (xlat::ipv6_reserved(v6->addr)) return c.error(a[1] + " is a reserved IPv6 range");
       c.cfg.maps.push_back({*v4, *v6, c.line->where});
     }},
    {"dynamic-pool", 1, 1, false, [](Ctx& c, const auto& a) {
       auto p = xlat::parse_ipv4_prefix(a[0]);
       if (!p || a[0].find('/') == std::string::npos) return c.error("'" + a[0] + "' is not an IPv4 prefix (address/length)");
       if (p->len > 31) return c.error("the pool must be /31 or larger");
       if (p->len < 8) return c.error("a pool larger than /8 is not supported");
       if ((p->addr & ~xlat::ipv4_mask(p->len)) != 0) return c.error(a[0] + " has host bits set");
       if (reserved_not_link_local(p->addr)) return c.error(a[0] + " is a reserved IPv4 range");
       if (xlat::ipv4_link_local(p->addr)) c.warn(a[0] + " is link-local (169.254/16)");
       c.cfg.dynamic_pool = *p;
     }},
    {"data-dir", 1, 1, false, [](Ctx& c, const auto& a) {
       if (a[0].empty() || a[0][0] != '/') return c.error("'" + a[0] + "' must be an absolute path");
       c.cfg.data_dir = a[0];
     }},
    {"strict-frag-hdr", 1, 1, false, [](Ctx& c, const auto& a) {
       bool ignored = false;
       set_bool(c, a[0], ignored);
       c.warn("deprecated and ignored (fragment headers follow RFC 7915 and RFC 8021)");
     }},
    {"wkpf-strict", 1, 1, false, [](Ctx& c, const auto& a) { set_bool(c, a[0], c.cfg.wkpf_strict); }},
    {"udp-cksum-mode", 1, 1, false, [](Ctx& c, const auto& a) {
       std::string v = lower(a[0]);
       if (v == "drop") c.cfg.udp_cksum_mode = xlat::UdpZeroChecksum::Drop;
       else if (v == "reject") c.cfg.udp_cksum_mode = xlat::UdpZeroChecksum::Reject;  // xlatd's own
       else if (v == "fwd") c.cfg.udp_cksum_mode = xlat::UdpZeroChecksum::Forward;
       else if (v == "calc") c.cfg.udp_cksum_mode = xlat::UdpZeroChecksum::Calculate;
       else c.error("expected drop, fwd, calc or reject, got '" + a[0] + "'");
     }},
    {"log", 1, -1, false, [](Ctx& c, const auto& a) {
       for (const auto& w : a) {
         std::string v = lower(w);
         if (v == "drop") c.cfg.log.drop = true;
         else if (v == "reject") c.cfg.log.reject = true;
         else if (v == "icmp") c.cfg.log.icmp = true;
         else if (v == "self") c.cfg.log.self = true;
         else if (v == "dyn") c.cfg.log.dyn = true;
         else c.error("unknown log flag '" + w + "' (drop, reject, icmp, self, dyn)");
       }
     }},
    {"offlink-mtu", 1, 1, false, [](Ctx& c, const auto& a) {
       auto n = parse_number(a[0]);
       if (!n || *n < 1280 || *n > 65535) return c.error("'" + a[0] + "' is not a number from 1280 to 65535");
       c.cfg.offlink_mtu = static_cast<uint32_t>(*n);
     }},
    {"map-file", 1, 1, false, [](Ctx& c, const auto& a) { c.cfg.map_file = a[0]; }},
    {"workers", 1, 1, false, [](Ctx& c, const auto& a) {
       auto n = parse_number(a[0]);
       if (!n || *n > 64) return c.error("'" + a[0] + "' is not a number from 0 to 64");
       c.cfg.workers = static_cast<unsigned>(*n);
     }},
    // xlatd's own: ICMP errors it generates, per second per worker [and burst].
    {"icmp-rate-limit", 1, 2, false, [](Ctx& c, const auto& a) {
       auto n = parse_number(a[0]);
       if (!n || *n > 1000000) return c.error("'" + a[0] + "' is not a rate from 0 to 1000000 per second");
       c.cfg.icmp_rate = static_cast<uint32_t>(*n);
       if (a.size() > 1) {
         auto b = parse_number(a[1]);
         if (!b || *b < 1 || *b > 1000000) return c.error("'" + a[1] + "' is not a burst from 1 to 1000000");
         c.cfg.icmp_burst = static_cast<uint32_t>(*b);
       }
     }},
    // xlatd's own: a Prometheus endpoint, "PORT" (loopback), "ADDR:PORT" or "[ADDR6]:PORT".
    {"metrics-listen", 1, 1, false, [](Ctx& c, const auto& a) {
       std::string v = a[0], host = "127.0.0.1", port = v;
       if (!v.empty() && v[0] == '[') {
         auto close = v.find("]:");
         if (close == std::string::npos) return c.error("expected [ADDRESS]:PORT, got '" + v + "'");
         host = v.substr(1, close - 1);
         port = v.substr(close + 2);
         if (!xlat::parse_ipv6(host)) return c.error("'" + host + "' is not an IPv6 address");
       } else if (auto colon = v.rfind(':'); colon != std::string::npos) {
         host = v.substr(0, colon);
         port = v.substr(colon + 1);
         if (!xlat::parse_ipv4(host)) return c.error("'" + host + "' is not an IPv4 address");
       }
       auto n = parse_number(port);
       if (!n || *n < 1 || *n > 65535) return c.error("'" + port + "' is not a port");
       c.cfg.metrics_listen = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
     }},
    // xlatd's own: RFC 7757 §4.2 hairpinning inside the translator; default no, as in
    // TAYGA (the IPv4 result goes to the TUN and routing decides).
    {"hairpin", 1, 1, false, [](Ctx& c, const auto& a) { set_bool(c, a[0], c.cfg.hairpin); }},
    // xlatd's own: TUN offloads (TAYGA has none); default yes.
    {"offload", 1, 1, false, [](Ctx& c, const auto& a) { set_bool(c, a[0], c.cfg.offload); }},
    {"tun-up", 1, 1, false, [](Ctx& c, const auto& a) {
       bool v = false;
       set_bool(c, a[0], v);
       c.cfg.tun_up = v;
     }},
    {"tun-ip", 1, 1, true, [](Ctx& c, const auto& a) {
       auto t = parse_tun_address(a[0]);
       if (!t) return c.error("'" + a[0] + "' is not an IPv4 or IPv6 address[/length]");
       c.cfg.tun_ip.push_back(*t);
     }},
    {"tun-route", 1, 1, true, [](Ctx& c, const auto& a) {
       auto t = parse_tun_address(a[0]);
       if (!t) return c.error("'" + a[0] + "' is not an IPv4 or IPv6 prefix");
       c.cfg.tun_route.push_back(*t);
     }},
};

const Directive* find_directive(const std::string& name) {
  std::string n = lower(name);
  for (const auto& d : kDirectives) {
    if (n == d.name) return &d;
  }
  return nullptr;
}

// TAYGA's list of addresses the well-known prefix may not embed when deriving ipv6-addr
// (its addrmap.c is_private_ip4_addr: RFC 1918, RFC 6598, RFC 5737, RFC 2544). The data
// path applies RFC 6052's full list; this one only decides whether a file TAYGA starts
// with also starts here (clatd's own file embeds 192.0.0.2).
bool tayga_private(xlat::Ipv4Addr a) {
  static constexpr std::pair<xlat::Ipv4Addr, unsigned> kPrivate[] = {
      {0x0a000000, 8}, {0x64400000, 10}, {0xac100000, 12}, {0xc0000200, 24},
      {0xc0a80000, 16}, {0xc6120000, 15}, {0xc6336400, 24}, {0xcb007100, 24}};
  for (auto [net, len] : kPrivate) {
    if (Ipv4Prefix{net, static_cast<uint8_t>(len)}.contains(a)) return true;
  }
  return false;
}

// Cross-directive rules, after every line is read: TAYGA's (conffile.c config_validate
// and the conflicts its map tables refuse), each error at the line it is about.
// `where` gives the line of each non-repeatable directive that was given.
void validate(Ctx& c, const std::string& source, const std::map<std::string, std::string>& where) {
  Config& cfg = c.cfg;
  auto at = [&](const char* directive) {
    auto it = where.find(directive);
    return it == where.end() ? source : it->second;
  };
  auto fail = [&](const char* directive, const std::string& what) {
    c.errors.push_back({at(directive) + ": " + directive + ": " + what});
  };
  if (cfg.tun_device.empty()) c.errors.push_back({source + ": tun-device: required"});
  if (cfg.ipv4_addr == 0) c.errors.push_back({source + ": ipv4-addr: required"});
  // TAYGA: "no translation maps or NAT64 prefix configured" (a dynamic pool alone maps
  // IPv6 hosts to IPv4 but gives the IPv4 side no way back to IPv6 destinations).
  if (!cfg.prefix && cfg.maps.empty()) {
    c.errors.push_back({source + ": nothing to translate: give prefix or map"});
  }
  const bool wkp = cfg.prefix && *cfg.prefix == xlat::well_known_prefix();
  if (!cfg.ipv6_addr_given) {
    if (!cfg.prefix) {
      fail("ipv4-addr", "ipv6-addr is required when no prefix is configured");
    } else if (cfg.ipv4_addr != 0) {
      if (wkp && cfg.wkpf_strict && tayga_private(cfg.ipv4_addr)) {
        fail("ipv4-addr", "ipv6-addr is required, because " + xlat::to_string(cfg.ipv4_addr) +
                              " is not global and cannot be embedded in the well-known prefix 64:ff9b::/96 "
                              "(or set wkpf-strict no)");
      } else {
        cfg.ipv6_addr = xlat::rfc6052_embed(*cfg.prefix, cfg.ipv4_addr);
      }
    }
  } else {
    const xlat::Ipv6Prefix own6{cfg.ipv6_addr, 128};
    if (cfg.wkpf_strict && xlat::well_known_prefix().contains(cfg.ipv6_addr)) {
      fail("ipv6-addr", xlat::to_string(cfg.ipv6_addr) + " is inside the well-known prefix 64:ff9b::/96 (wkpf-strict)");
    } else if (cfg.prefix && cfg.prefix->contains(cfg.ipv6_addr)) {
      fail("ipv6-addr", xlat::to_string(cfg.ipv6_addr) + " is inside prefix " + xlat::to_string(*cfg.prefix) +
                            " (leave ipv6-addr out to use the prefix's address for ipv4-addr)");
    }
    for (const auto& m : cfg.maps) {
      if (m.v6.overlaps(own6)) {
        fail("ipv6-addr", xlat::to_string(cfg.ipv6_addr) + " is inside map " + xlat::to_string(m.v6) + " (" + m.where + ")");
      }
    }
  }
  // Each map against the earlier ones, through indexes (n log n: 10^5 maps load in a
  // fraction of a second, bench/load_bench.cpp).
  std::map<std::pair<xlat::Ipv4Addr, uint8_t>, size_t> v4_seen;
  PrefixIndex<xlat::Ipv6Prefix> v6_seen;
  std::vector<size_t> hits;
  for (size_t i = 0; i < cfg.maps.size(); ++i) {
    const auto& m = cfg.maps[i];
    if (cfg.prefix && m.v6.overlaps(*cfg.prefix)) {
      c.errors.push_back({m.where + ": map: " + xlat::to_string(m.v6) + " overlaps prefix " +
                          xlat::to_string(*cfg.prefix)});
    }
    // IPv4 sides may nest (longest match wins) but not repeat.
    if (m.v4.len == 32 && m.v4.addr == cfg.ipv4_addr) {
      c.errors.push_back({m.where + ": map: " + xlat::to_string(m.v4) + " is ipv4-addr (" + at("ipv4-addr") + ")"});
    }
    if (auto [it, fresh] = v4_seen.emplace(std::pair{m.v4.addr, m.v4.len}, i); !fresh) {
      c.errors.push_back({m.where + ": map: " + xlat::to_string(m.v4) + " is already mapped (" +
                          cfg.maps[it->second].where + ")"});
    }
    // IPv6 sides may not even nest: each IPv6 address has one IPv4 counterpart.
    hits.clear();
    v6_seen.for_each_overlapping(m.v6, [&](size_t j) { hits.push_back(j); });
    std::sort(hits.begin(), hits.end());
    for (size_t j : hits) {
      c.errors.push_back({m.where + ": map: " + xlat::to_string(m.v6) + " overlaps " +
                          xlat::to_string(cfg.maps[j].v6) + " (" + cfg.maps[j].where + ")"});
    }
    v6_seen.insert(m.v6, i);
    if (cfg.dynamic_pool && cfg.dynamic_pool->overlaps(m.v4)) {
      cfg.warnings.push_back(m.where + ": map: " + xlat::to_string(m.v4) +
                             " overlaps the dynamic pool; those addresses are taken out of it");
    }
  }
  if (cfg.dynamic_pool && cfg.dynamic_pool->len == 31 && cfg.dynamic_pool->contains(cfg.ipv4_addr)) {
    fail("dynamic-pool", "no address left once ipv4-addr is taken out");
  }
  // The maintained TAYGA: without data-dir, systemd's StateDirectory= is used.
  if (cfg.data_dir.empty()) {
    const char* state = std::getenv("STATE_DIRECTORY");
    if (state != nullptr && state[0] == '/') cfg.data_dir = std::string(state).substr(0, std::string(state).find(':'));
  }
  if (!cfg.map_file.empty() && cfg.map_file[0] != '/') {
    if (cfg.data_dir.empty()) {
      fail("map-file", "a relative path needs data-dir");
    } else {
      cfg.map_file = cfg.data_dir + "/" + cfg.map_file;
    }
  }
}

}  // namespace

LoadResult apply_directives(const std::vector<DirectiveLine>& lines, const std::string& source,
                            bool whole_file) {
  Ctx c;
  c.cfg.source = source;
  std::map<std::string, std::string> seen;  // directive → where
  for (const auto& l : lines) {
    c.line = &l;
    const Directive* d = find_directive(l.name);
    if (d == nullptr) {
      c.errors.push_back({l.where + ": unknown directive '" + l.name + "'"});
      continue;
    }
    int n = static_cast<int>(l.args.size());
    if (n < d->min_args || (d->max_args >= 0 && n > d->max_args)) {
      std::string want = d->min_args == d->max_args ? std::to_string(d->min_args)
                         : d->max_args < 0 ? "at least " + std::to_string(d->min_args)
                                           : std::to_string(d->min_args) + " to " + std::to_string(d->max_args);
      c.error("expects " + want + " argument" + (want == "1" ? "" : "s") + ", got " + std::to_string(n));
      continue;
    }
    if (!d->repeatable) {
      auto [it, fresh] = seen.emplace(d->name, l.where);
      if (!fresh) {
        c.error("given twice (first at " + it->second + ")");
        continue;
      }
    }
    d->apply(c, l.args);
  }
  if (c.errors.empty() && whole_file) validate(c, source, seen);
  LoadResult r;
  r.errors = std::move(c.errors);
  if (r.errors.empty()) r.config = std::move(c.cfg);
  return r;
}

std::vector<DirectiveLine> lex_tayga_conf(const std::string& text, const std::string& name,
                                          std::vector<ConfigError>& errors) {
  std::vector<DirectiveLine> out;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (std::string why = config_line_problem(line); !why.empty()) {
      errors.push_back({name + ":" + std::to_string(n) + ": " + why});
      continue;
    }
    std::vector<std::string> tokens;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      if (i >= line.size() || line[i] == '#') break;
      size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
      tokens.push_back(line.substr(i, j - i));
      i = j;
    }
    if (tokens.empty()) continue;
    DirectiveLine d;
    d.name = tokens[0];
    d.args.assign(tokens.begin() + 1, tokens.end());
    d.where = name + ":" + std::to_string(n);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace xlatd
