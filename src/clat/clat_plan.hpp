// The CLAT's decisions, as a pure function of its configuration and of what it sees on
// the host: which PLAT prefix to translate to (and why), whether to translate at all,
// and whether IPv4 applications should be routed into the CLAT. The daemon observes,
// calls decide(), and makes the host match the plan; tests call decide() directly.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clat/clat_config.hpp"
#include "xlat/addr.hpp"

namespace xlatd::clat {

struct Observation {
  std::string uplink;                           // interface toward the PLAT; "" when none
  std::optional<xlat::Ipv6Prefix> uplink_prefix;  // the /64 of its global address
  std::optional<xlat::Ipv6Prefix> pref64;       // RFC 8781, from RAs on the uplink
  std::vector<xlat::Ipv6Prefix> dns64;          // RFC 7050, from ipv4only.arpa
  bool native_ipv4 = false;                     // an IPv4 default route not through the CLAT
  bool conncheck_waited = true;                 // v4-conncheck-delay has passed since start
};

struct Plan {
  bool translate = false;
  std::string why;  // the reason for `translate` (for the log)
  xlat::Ipv6Prefix plat_prefix;
  std::string prefix_source;  // "plat-prefix", "PREF64", "DNS64", "plat-fallback-prefix"
  std::string uplink;
  std::optional<xlat::Ipv6Prefix> uplink_prefix;
  bool default_route = false;
  std::string route_why;
};

Plan decide(const ClatConfig& c, const Observation& o);

}  // namespace xlatd::clat
