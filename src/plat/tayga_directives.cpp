// tayga.conf's directives, as one table for the shared engine (config/directive_table.hpp):
// TAYGA 0.9.2's and the maintained TAYGA's (0.9.6+), in the order of TAYGA's man page,
// then xlatd's own. Each entry says how many arguments it takes, whether it repeats, how
// it sets PlatConfig and how --check-config shows it; validate() holds the rules that
// need the whole file (TAYGA's conffile.c config_validate and its map tables' conflicts).
#include <algorithm>
#include <cstdlib>
#include <map>

#include "config/directive_table.hpp"
#include "config/values.hpp"
#include "plat/plat_config.hpp"
#include "plat/prefix_index.hpp"
#include "xlat/address_map.hpp"
#include "xlat/eam.hpp"
#include "xlat/rfc6052.hpp"

namespace xlatd {

namespace {

using xlat::Ipv4Prefix;
using xlat::Ipv6Prefix;
using Ctx = DirectiveContext<PlatConfig>;
using Args = std::vector<std::string>;
using TaygaDirective = Directive<PlatConfig>;

constexpr TableRules kTaygaRules{"directive", false, false, " "};

void set_bool(Ctx& c, const std::string& arg, bool& out) {
  auto b = parse_bool(arg);
  if (!b) return c.error(std::string("expected ") + kBoolWords + ", got '" + arg + "'");
  out = *b;
}

const char* yes_no(bool v) { return v ? "yes" : "no"; }

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

std::string tun_address(const TunAddress& t) { return t.v6 ? xlat::to_string(t.v6addr) : xlat::to_string(t.v4); }

// TAYGA refuses 0/8, 127/8, multicast and broadcast in ipv4-addr, map and dynamic-pool,
// and allows 169.254/16 (with a warning here).
bool reserved_not_link_local(xlat::Ipv4Addr a) {
  return xlat::ipv4_reserved(a) && !xlat::ipv4_link_local(a);
}

// A yes/no directive over one field.
TaygaDirective flag(const char* name, bool PlatConfig::*field) {
  return {name, 1, 1, Repeat::Refused,
          [field](Ctx& c, const Args& a) { set_bool(c, a[0], c.target.*field); },
          [field](const PlatConfig& p, Shown& s) { s.values.push_back(yes_no(p.*field)); }};
}

const char* udp_mode_name(xlat::UdpZeroChecksum m) {
  switch (m) {
    case xlat::UdpZeroChecksum::Drop: return "drop";
    case xlat::UdpZeroChecksum::Reject: return "reject";
    case xlat::UdpZeroChecksum::Forward: return "fwd";
    case xlat::UdpZeroChecksum::Calculate: return "calc";
  }
  return "drop";
}

const std::vector<TaygaDirective>& tayga_table() {
  static const std::vector<TaygaDirective> t = {
    {"tun-device", 1, 1, Repeat::Refused, [](Ctx& c, const Args& a) {
       if (std::string why = interface_name_problem(a[0]); !why.empty()) return c.error(why);
       c.target.tun_device = a[0];
     }, [](const PlatConfig& p, Shown& s) { s.values.push_back(p.tun_device); }},
    {"ipv4-addr", 1, 1, Repeat::Refused, [](Ctx& c, const Args& a) {
       auto v = xlat::parse_ipv4(a[0]);
       if (!v) return c.error("'" + a[0] + "' is not an IPv4 address");
       if (reserved_not_link_local(*v)) {
         return c.error(a[0] + " is reserved (0/8, 127/8, 224/4 or broadcast) and cannot be the translator's address");
       }
       if (xlat::ipv4_link_local(*v)) c.warn(a[0] + " is link-local (169.254/16)");
       c.target.ipv4_addr = *v;
     }, [](const PlatConfig& p, Shown& s) { s.values.push_back(xlat::to_string(p.ipv4_addr)); }},
    {"ipv6-addr", 1, 1, Repeat::Refused, [](Ctx& c, const Args& a) {
       auto v = xlat::parse_ipv6(a[0]);
       if (!v) return c.error("'" + a[0] + "' is not an IPv6 address");
       if (xlat::ipv6_reserved(*v)) return c.error(a[0] + " is a reserved IPv6 address");
       c.target.ipv6_addr = *v;
       c.target.ipv6_addr_given = true;
     }, [](const PlatConfig& p, Shown& s) {
       // A derived ipv6-addr is shown as a comment: written out, it would lie inside the
       // prefix, which TAYGA (and so xlatd) refuses.
       s.values.push_back(xlat::to_string(p.ipv6_addr));
       if (!p.ipv6_addr_given) s.derived_note = "prefix + ipv4-addr";
     }},
    {"prefix", 1, 1, Repeat::Refused, [](Ctx& c, const Args& a) {
       auto p = xlat::parse_ipv6_prefix(a[0]);
       if (!p || a[0].find('/') == std::string::npos) return c.error("'" + a[0] + "' is not an IPv6 prefix (address/length)");
       if (!xlat::rfc6052_valid_length(p->len)) {
         return c.error("length /" + std::to_string(p->len) + " is not one of 32, 40, 48, 56, 64, 96 (RFC 6052)");
       }
       if (xlat::ipv6_masked(p->addr, p->len) != p->addr) return c.error(a[0] + " has bits set past its length");
       if (p->len == 96 && p->addr.b[8] != 0) return c.error(a[0] + ": bits 64-71 must be zero (RFC 6052 2.2)");
       c.target.prefix = *p;
     }, [](const PlatConfig& p, Shown& s) { if (p.prefix) s.values.push_back(xlat::to_string(*p.prefix)); }},
    {"map", 2, 2, Repeat::EachAdds, [](Ctx& c, const Args& a) {
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
       c.target.maps.push_back({*v4, *v6, c.line.where});
     }, [](const PlatConfig& p, Shown& s) {
       for (const auto& m : p.maps) s.values.push_back(xlat::to_string(m.v4) + " " + xlat::to_string(m.v6));
     }},
    {"dynamic-pool", 1, 1, Repeat::Refused, [](Ctx& c, const Args& a) {
       auto p = xlat::parse_ipv4_prefix(a[0]);
       if (!p || a[0].find('/') == std::string::npos) return c.error("'" + a[0] + "' is not an IPv4 prefix (address/length)");
       if (p->len > 31) return c.error("the pool must be /31 or larger");
       if (p->len < 8) return c.error("a pool larger than /8 is not supported");
       if ((p->addr & ~xlat::ipv4_mask(p->len)) != 0) return c.error(a[0] + " has host bits set");
       if (reserved_not_link_local(p->addr)) return c.error(a[0] + " is a reserved IPv4 range");
       if (xlat::ipv4_link_local(p->addr)) c.warn(a[0] + " is link-local (169.254/16)");
       c.target.dynamic_pool = *p;
     }, [](const PlatConfig& p, Shown& s) { if (p.dynamic_pool) s.values.push_back(xlat::to_string(*p.dynamic_pool)); }},
    {"data-dir", 1, 1, Repeat::Refused, [](Ctx& c, const Args& a) {
       if (a[0].empty() || a[0][0] != '/') return c.error("'" + a[0] + "' must be an absolute path");
       c.target.data_dir = a[0];
     }, [](const PlatConfig& p, Shown& s) { if (!p.data_dir.empty()) s.values.push_back(p.data_dir); }},
    {"strict-frag-hdr", 1, 1, Repeat::Refused, [](Ctx& c, const Args& a) {
       bool ignored = false;
       set_bool(c, a[0], ignored);
     }, nullptr, false, "deprecated and ignored (fragment headers follow RFC 7915 and RFC 8021)"},
    flag("wkpf-strict", &PlatConfig::wkpf_strict),
    {"udp-cksum-mode", 1, 1, Repeat::Refused, [](Ctx& c, const Args& a) {
       std::string v = lower(a[0]);
       if (v == "drop") c.target.udp_cksum_mode = xlat::UdpZeroChecksum::Drop;
       else if (v == "reject") c.target.udp_cksum_mode = xlat::UdpZeroChecksum::Reject;  // xlatd's own
       else if (v == "fwd") c.target.udp_cksum_mode = xlat::UdpZeroChecksum::Forward;
       else if (v == "calc") c.target.udp_cksum_mode = xlat::UdpZeroChecksum::Calculate;
       else c.error("expected drop, fwd, calc or reject, got '" + a[0] + "'");
     }, [](const PlatConfig& p, Shown& s) { s.values.push_back(udp_mode_name(p.udp_cksum_mode)); }},
    {"log", 1, -1, Repeat::Refused, [](Ctx& c, const Args& a) {
       for (const auto& w : a) {
         std::string v = lower(w);
         if (v == "drop") c.target.log.drop = true;
         else if (v == "reject") c.target.log.reject = true;
         else if (v == "icmp") c.target.log.icmp = true;
         else if (v == "self") c.target.log.self = true;
         else if (v == "dyn") c.target.log.dyn = true;
         else c.error("unknown log flag '" + w + "' (drop, reject, icmp, self, dyn)");
       }
     }, [](const PlatConfig& p, Shown& s) {
       std::string flags;
       for (auto [on, name] : {std::pair{p.log.drop, "drop"}, {p.log.reject, "reject"}, {p.log.icmp, "icmp"},
                               {p.log.self, "self"}, {p.log.dyn, "dyn"}}) {
         if (on) flags += std::string(flags.empty() ? "" : " ") + name;
       }
       if (!flags.empty()) s.values.push_back(flags);
     }},
    {"offlink-mtu", 1, 1, Repeat::Refused, [](Ctx& c, const Args& a) {
       auto n = parse_number(a[0], 65535);
       if (!n || *n < 1280) return c.error("'" + a[0] + "' is not a number from 1280 to 65535");
       c.target.offlink_mtu = static_cast<uint32_t>(*n);
     }, [](const PlatConfig& p, Shown& s) { s.values.push_back(std::to_string(p.offlink_mtu)); }},
    {"map-file", 1, 1, Repeat::Refused, [](Ctx& c, const Args& a) { c.target.map_file = a[0]; },
     [](const PlatConfig& p, Shown& s) { if (!p.map_file.empty()) s.values.push_back(p.map_file); }},
    {"workers", 1, 1, Repeat::Refused, [](Ctx& c, const Args& a) {
       auto n = parse_number(a[0], 64);
       if (!n) return c.error("'" + a[0] + "' is not a number from 0 to 64");
       c.target.workers = static_cast<unsigned>(*n);
     }, [](const PlatConfig& p, Shown& s) { if (p.workers) s.values.push_back(std::to_string(*p.workers)); }},
    // xlatd's own: ICMP errors it generates, per second per worker [and burst].
    {"icmp-rate-limit", 1, 2, Repeat::Refused, [](Ctx& c, const Args& a) {
       auto n = parse_number(a[0], 1000000);
       if (!n) return c.error("'" + a[0] + "' is not a rate from 0 to 1000000 per second");
       c.target.icmp_rate = static_cast<uint32_t>(*n);
       if (a.size() > 1) {
         auto b = parse_number(a[1], 1000000);
         if (!b || *b < 1) return c.error("'" + a[1] + "' is not a burst from 1 to 1000000");
         c.target.icmp_burst = static_cast<uint32_t>(*b);
       }
     }, [](const PlatConfig& p, Shown& s) { s.values.push_back(std::to_string(p.icmp_rate) + " " + std::to_string(p.icmp_burst)); }},
    // xlatd's own: a Prometheus endpoint, "PORT" (loopback), "ADDR:PORT" or "[ADDR6]:PORT".
    {"metrics-listen", 1, 1, Repeat::Refused, [](Ctx& c, const Args& a) {
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
       auto n = parse_number(port, 65535);
       if (!n || *n < 1) return c.error("'" + port + "' is not a port");
       c.target.metrics_listen = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
     }, [](const PlatConfig& p, Shown& s) { if (!p.metrics_listen.empty()) s.values.push_back(p.metrics_listen); }},
    // xlatd's own: RFC 7757 §4.2 hairpinning inside the translator; default no, as in
    // TAYGA (the IPv4 result goes to the TUN and routing decides).
    flag("hairpin", &PlatConfig::hairpin),
    // xlatd's own: TUN offloads (TAYGA has none); default yes.
    flag("offload", &PlatConfig::offload),
    // xlatd's own: the kernel fast path (a TC program on the TUN); default yes, where
    // the kernel loads it.
    flag("fast-path", &PlatConfig::fast_path),
    // xlatd's own: the fast path also on these Ethernet devices' ingress, before the
    // kernel routes into the TUN (faster; that pass's netfilter hooks are skipped).
    {"fast-path-ingress", 1, -1, Repeat::Refused, [](Ctx& c, const Args& a) {
       for (const std::string& dev : a) {
         if (std::string why = interface_name_problem(dev); !why.empty()) return c.error("'" + dev + "': " + why);
       }
       c.target.fast_path_ingress = a;
     }, [](const PlatConfig& p, Shown& s) { s.values = p.fast_path_ingress; }},
    // xlatd's own: a packet translated on such an ingress leaves by an uplink straight
    // away where the route allows, skipping the second routing pass and its netfilter
    // hooks (dynamic-pool traffic excepted: NAT44 rewrites it there); default no.
    flag("fast-path-forward", &PlatConfig::fast_path_forward),
    {"tun-up", 1, 1, Repeat::Refused, [](Ctx& c, const Args& a) {
       bool v = false;
       set_bool(c, a[0], v);
       c.target.tun_up = v;
     }, [](const PlatConfig& p, Shown& s) { if (p.tun_up) s.values.push_back(yes_no(*p.tun_up)); }},
    {"tun-ip", 1, 1, Repeat::EachAdds, [](Ctx& c, const Args& a) {
       auto t = parse_tun_address(a[0]);
       if (!t) return c.error("'" + a[0] + "' is not an IPv4 or IPv6 address[/length]");
       c.target.tun_ip.push_back(*t);
     }, [](const PlatConfig& p, Shown& s) { for (const auto& t : p.tun_ip) s.values.push_back(tun_address(t)); }},
    {"tun-route", 1, 1, Repeat::EachAdds, [](Ctx& c, const Args& a) {
       auto t = parse_tun_address(a[0]);
       if (!t) return c.error("'" + a[0] + "' is not an IPv4 or IPv6 prefix");
       c.target.tun_route.push_back(*t);
     }, [](const PlatConfig& p, Shown& s) { for (const auto& t : p.tun_route) s.values.push_back(tun_address(t)); }},
  };
  return t;
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
struct Validation {
  Applied<PlatConfig>& c;
  const std::string& source;
  PlatConfig& cfg = c.target;

  // Where a directive was given (the file itself if it was not).
  std::string at(const char* directive) const {
    auto it = c.given.find(directive);
    return it == c.given.end() ? source : it->second.where;
  }
  void fail(const char* directive, const std::string& what) {
    c.errors.push_back({at(directive) + ": " + directive + ": " + what});
  }

  void required() {
    if (cfg.tun_device.empty()) c.errors.push_back({source + ": tun-device: required"});
    if (cfg.ipv4_addr == 0) c.errors.push_back({source + ": ipv4-addr: required"});
    // TAYGA: "no translation maps or NAT64 prefix configured" (a dynamic pool alone maps
    // IPv6 hosts to IPv4 but gives the IPv4 side no way back to IPv6 destinations).
    if (!cfg.prefix && cfg.maps.empty()) {
      c.errors.push_back({source + ": nothing to translate: give prefix or map"});
    }
  }

  // The translator's own IPv6 address: given, or the prefix's for ipv4-addr.
  void own_addresses() {
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
  }

  void maps() {
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
  }

  void pool_and_paths() {
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
};

void validate(Applied<PlatConfig>& c, const std::string& source) {
  Validation v{c, source};
  v.required();
  v.own_addresses();
  v.maps();
  v.pool_and_paths();
}

}  // namespace

PlatLoad apply_tayga_directives(const std::vector<DirectiveLine>& lines, const std::string& source,
                                bool whole_file) {
  PlatConfig initial;
  initial.source = source;
  Applied<PlatConfig> a = apply_directives<PlatConfig>(tayga_table(), kTaygaRules, lines, std::move(initial));
  if (a.errors.empty() && whole_file) validate(a, source);
  PlatLoad r;
  r.errors = std::move(a.errors);
  if (r.errors.empty()) {
    r.config = std::move(a.target);
    r.config->warnings.insert(r.config->warnings.begin(), a.warnings.begin(), a.warnings.end());
  }
  return r;
}

std::string show_tayga_directives(const PlatConfig& cfg) {
  return show_directives<PlatConfig>(tayga_table(), kTaygaRules, cfg);
}

}  // namespace xlatd
