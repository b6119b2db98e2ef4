// Link, address and route set-up over rtnetlink (libnl-route-3): TAYGA's tun-up,
// tun-ip and tun-route. No shelling out to `ip`.
#pragma once

#include <string>

#include "config/config.hpp"

struct nl_sock;

namespace xlatd {

class Netlink {
 public:
  Netlink();
  ~Netlink();
  Netlink(const Netlink&) = delete;
  Netlink& operator=(const Netlink&) = delete;

  bool ok() const { return sock_ != nullptr; }
  bool link_up(const std::string& ifname, std::string& error);
  // Adds the address (IPv4 default /32, IPv6 default /128); an existing one is fine.
  bool add_address(const std::string& ifname, const TunAddress& a, std::string& error);
  // Routes the prefix into the interface; an existing route is replaced.
  bool add_route(const std::string& ifname, const TunAddress& prefix, std::string& error);

 private:
  int ifindex(const std::string& ifname, std::string& error);
  ::nl_sock* sock_ = nullptr;
};

}  // namespace xlatd
