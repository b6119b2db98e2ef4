// What the CLAT makes of the host's state: the uplink's prefix and address among the
// addresses the kernel reports (io/netlink.hpp reads them over rtnetlink), and the
// resolvers of resolv.conf. Pure functions; tests feed them values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/netlink.hpp"
#include "xlat/addr.hpp"

namespace xlatd::clat {

using Ipv6IfAddr = HostAddress6;
using Ipv4DefaultRoute = DefaultRoute4;

// The `nameserver` lines of a resolv.conf (IPv4 and IPv6, "%zone" dropped). Read here,
// not through glibc's res_ninit(): it keeps IPv6 servers only in the private `_u._ext`
// fields of res_state, and the format is one keyword and one address per line.
struct Nameserver {
  bool v6 = false;
  xlat::Ipv4Addr v4 = 0;
  xlat::Ipv6Addr v6addr;
};
std::vector<Nameserver> parse_resolv_conf(const std::string& text);

// The /64 of the first usable global address on `dev` (RFC 4291 §2.5.4: SLAAC subnets
// are /64; that is where a CLAT claims its own address).
std::optional<xlat::Ipv6Prefix> uplink_prefix(const std::vector<Ipv6IfAddr>& addrs, const std::string& dev);
// That address itself (clat-v6-addr=shared translates to it).
std::optional<xlat::Ipv6Addr> uplink_address(const std::vector<Ipv6IfAddr>& addrs, const std::string& dev);

std::string read_text_file(const std::string& path);

}  // namespace xlatd::clat
