// Link, address and route set-up over rtnetlink (libnl-route-3): TAYGA's tun-up,
// tun-ip and tun-route. No shelling out to `ip`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xlat/addr.hpp"

struct nl_sock;
struct rtnl_link;

namespace xlatd {

// An IPv6 address the host holds (RTM_GETADDR).
struct HostAddress6 {
  xlat::Ipv6Addr addr;
  uint8_t prefix_len = 0;
  std::string dev;
  bool global = false;  // scope global
  bool usable = false;  // not tentative, not DAD-failed, not deprecated
};

// An IPv4 default route of the main table (RTM_GETROUTE dump).
struct DefaultRoute4 {
  std::string dev;
  xlat::Ipv4Addr gateway = 0;
  uint32_t metric = 0;
};

class Netlink {
 public:
  Netlink();
  ~Netlink();
  Netlink(const Netlink&) = delete;
  Netlink& operator=(const Netlink&) = delete;

  bool ok() const { return sock_ != nullptr; }
  bool link_up(const std::string& ifname, std::string& error);
  // Adds the address (IPv4 default /32, IPv6 default /128); an existing one is fine.
  bool add_address(const std::string& ifname, const xlat::IpPrefix& a, std::string& error);
  // Routes the prefix into the interface; an existing route is replaced.
  bool add_route(const std::string& ifname, const xlat::IpPrefix& prefix, std::string& error);

  // A route with the attributes the CLAT sets (metric, MTU, advmss, preferred source).
  struct Route {
    xlat::IpPrefix dst;
    std::string ifname;
    uint32_t table = 254;  // RT_TABLE_MAIN
    uint32_t metric = 0;
    uint32_t mtu = 0;      // 0: none
    uint32_t advmss = 0;   // 0: none
    std::optional<xlat::Ipv4Addr> prefsrc;
    xlat::Ipv4Addr gateway = 0;  // 0: on-link through ifname
  };
  // Adds (or replaces) / deletes it. Deleting a route that is gone is not an error.
  bool set_route(bool add, const Route& r, std::string& error);
  // `ip -6 neigh add|del proxy ADDR dev IFNAME` (needs proxy_ndp on IFNAME to answer).
  bool set_proxy_neighbour(bool add, const std::string& ifname, const xlat::Ipv6Addr& a, std::string& error);
  // An IPv6 policy rule `pref PREF [fwmark MARK] lookup TABLE` (MARK 0: none). A rule
  // added with the preference of existing ones goes after them; delete removes the
  // first rule matching all of PREF, MARK and TABLE. Deleting one that is gone is fine.
  bool set_rule6(bool add, uint32_t pref, uint32_t fwmark, uint32_t table, std::string& error);

  // What the host holds, read from the kernel (libnl caches), not from /proc text.
  // Each returns false with `error` when the kernel could not be asked.
  bool ipv6_addresses(std::vector<HostAddress6>& out, std::string& error);
  bool ipv4_default_routes(std::vector<DefaultRoute4>& out, std::string& error);
  // The interface the kernel picks for a packet this host sends to `dst`: one
  // RTM_GETROUTE request (`ip -6 route get DST`, what clatd asks), so policy rules,
  // every table and the metrics are applied exactly as for real traffic. "" when the
  // destination is unreachable (no route, or a reject route: `error` says which).
  std::string route_dev6(const xlat::Ipv6Addr& dst, std::string& error);
  // The index of the Ethernet link `ifname` (ARPHRD_ETHER); -1 with `error` when there
  // is no such link or it has another link layer.
  int ethernet_ifindex(const std::string& ifname, std::string& error);

 private:
  int ifindex(const std::string& ifname, std::string& error);
  ::rtnl_link* kernel_link(const std::string& ifname, std::string& error);
  ::nl_sock* sock_ = nullptr;
};

// A socket on the rtnetlink groups a CLAT follows (links, addresses, routes): the main
// loop polls fd() and, when it is readable, drains it and looks at the host again.
class NetlinkWatch {
 public:
  NetlinkWatch();
  ~NetlinkWatch();
  NetlinkWatch(const NetlinkWatch&) = delete;
  NetlinkWatch& operator=(const NetlinkWatch&) = delete;
  int fd() const { return fd_; }
  // Reads every pending message; returns how many arrived.
  unsigned drain();

 private:
  int fd_ = -1;
};

}  // namespace xlatd
