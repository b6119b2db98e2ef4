#include "io/netlink.hpp"

#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

namespace xlatd {

namespace {

std::string text(const TunAddress& a) {
  return a.v6 ? xlat::to_string(a.v6addr) : xlat::to_string(a.v4);
}

}  // namespace

Netlink::Netlink() {
  sock_ = nl_socket_alloc();
  if (sock_ != nullptr && nl_connect(sock_, NETLINK_ROUTE) < 0) {
    nl_socket_free(sock_);
    sock_ = nullptr;
  }
}

Netlink::~Netlink() {
  if (sock_ != nullptr) nl_socket_free(sock_);
}

int Netlink::ifindex(const std::string& ifname, std::string& error) {
  rtnl_link* link = nullptr;
  int rc = rtnl_link_get_kernel(sock_, 0, ifname.c_str(), &link);
  if (rc < 0) {
    error = "no interface " + ifname + ": " + nl_geterror(rc);
    return -1;
  }
  int idx = rtnl_link_get_ifindex(link);
  rtnl_link_put(link);
  return idx;
}

bool Netlink::link_up(const std::string& ifname, std::string& error) {
  rtnl_link* link = nullptr;
  int rc = rtnl_link_get_kernel(sock_, 0, ifname.c_str(), &link);
  if (rc < 0) {
    error = "no interface " + ifname + ": " + nl_geterror(rc);
    return false;
  }
  rtnl_link* change = rtnl_link_alloc();
  rtnl_link_set_flags(change, IFF_UP);
  rc = rtnl_link_change(sock_, link, change, 0);
  rtnl_link_put(change);
  rtnl_link_put(link);
  if (rc < 0) {
    error = "cannot bring " + ifname + " up: " + nl_geterror(rc);
    return false;
  }
  return true;
}

bool Netlink::add_address(const std::string& ifname, const TunAddress& a, std::string& error) {
  int idx = ifindex(ifname, error);
  if (idx < 0) return false;
  nl_addr* local = nullptr;
  std::string s = text(a);
  int rc = nl_addr_parse(s.c_str(), a.v6 ? AF_INET6 : AF_INET, &local);
  if (rc < 0) {
    error = "bad address " + s + ": " + nl_geterror(rc);
    return false;
  }
  rtnl_addr* addr = rtnl_addr_alloc();
  rtnl_addr_set_ifindex(addr, idx);
  rtnl_addr_set_local(addr, local);
  rc = rtnl_addr_add(sock_, addr, 0);
  rtnl_addr_put(addr);
  nl_addr_put(local);
  if (rc < 0 && rc != -NLE_EXIST) {
    error = "cannot add " + s + " to " + ifname + ": " + nl_geterror(rc);
    return false;
  }
  return true;
}

bool Netlink::add_route(const std::string& ifname, const TunAddress& prefix, std::string& error) {
  int idx = ifindex(ifname, error);
  if (idx < 0) return false;
  nl_addr* dst = nullptr;
  std::string s = text(prefix);
  int family = prefix.v6 ? AF_INET6 : AF_INET;
  int rc = nl_addr_parse(s.c_str(), family, &dst);
  if (rc < 0) {
    error = "bad prefix " + s + ": " + nl_geterror(rc);
    return false;
  }
  rtnl_route* route = rtnl_route_alloc();
  rtnl_route_set_family(route, static_cast<uint8_t>(family));
  rtnl_route_set_dst(route, dst);
  rtnl_route_set_table(route, RT_TABLE_MAIN);
  rtnl_route_set_scope(route, RT_SCOPE_LINK);
  rtnl_route_set_protocol(route, RTPROT_STATIC);
  rtnl_nexthop* nh = rtnl_route_nh_alloc();
  rtnl_route_nh_set_ifindex(nh, idx);
  rtnl_route_add_nexthop(route, nh);
  rc = rtnl_route_add(sock_, route, NLM_F_CREATE | NLM_F_REPLACE);
  rtnl_route_put(route);
  nl_addr_put(dst);
  if (rc < 0) {
    error = "cannot route " + s + " to " + ifname + ": " + nl_geterror(rc);
    return false;
  }
  return true;
}

}  // namespace xlatd
