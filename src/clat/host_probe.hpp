// What the CLAT reads about the host: routes and addresses from the /proc/net tables
// (text the kernel keeps per network namespace) and resolvers from resolv.conf. The
// parsers are pure (tests feed them text); read_*() wrap them around the real files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xlat/addr.hpp"

namespace xlatd::clat {

struct Ipv6Route {
  xlat::Ipv6Prefix dst;
  uint32_t metric = 0;
  std::string dev;
};

struct Ipv6IfAddr {
  xlat::Ipv6Addr addr;
  uint8_t prefix_len = 0;
  std::string dev;
  bool global = false;
  bool usable = false;  // not tentative, not DAD-failed, not deprecated
};

struct Ipv4DefaultRoute {
  std::string dev;
  xlat::Ipv4Addr gateway = 0;
  uint32_t metric = 0;
};

// /proc/net/ipv6_route, /proc/net/if_inet6 and /proc/net/route (main table).
std::vector<Ipv6Route> parse_ipv6_routes(const std::string& text);
std::vector<Ipv6IfAddr> parse_if_inet6(const std::string& text);
std::vector<Ipv4DefaultRoute> parse_ipv4_default_routes(const std::string& text);
// The `nameserver` lines of a resolv.conf (IPv4 and IPv6, "%zone" dropped).
struct Nameserver {
  bool v6 = false;
  xlat::Ipv4Addr v4 = 0;
  xlat::Ipv6Addr v6addr;
};
std::vector<Nameserver> parse_resolv_conf(const std::string& text);

// The interface the kernel would use toward `dst`: the longest matching route, lowest
// metric, ignoring `exclude` and the loopback (where unreachable routes point).
std::string uplink_toward(const std::vector<Ipv6Route>& routes, const xlat::Ipv6Addr& dst,
                          const std::string& exclude);
// The /64 of the first usable global address on `dev` (RFC 4291 §2.5.4: SLAAC subnets
// are /64; that is where a CLAT claims its own address).
std::optional<xlat::Ipv6Prefix> uplink_prefix(const std::vector<Ipv6IfAddr>& addrs, const std::string& dev);
// That address itself (clat-v6-addr=shared translates to it).
std::optional<xlat::Ipv6Addr> uplink_address(const std::vector<Ipv6IfAddr>& addrs, const std::string& dev);

std::string read_text_file(const std::string& path);

}  // namespace xlatd::clat
