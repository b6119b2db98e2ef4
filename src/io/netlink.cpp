#include "io/netlink.hpp"

#include <cerrno>

#include <linux/if.h>
#include <linux/neighbour.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>

namespace xlatd {

namespace {

std::string text(const xlat::IpPrefix& a) {
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

bool Netlink::add_address(const std::string& ifname, const xlat::IpPrefix& a, std::string& error) {
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

bool Netlink::add_route(const std::string& ifname, const xlat::IpPrefix& prefix, std::string& error) {
  Route r;
  r.dst = prefix;
  r.ifname = ifname;
  return set_route(true, r, error);
}

bool Netlink::set_route(bool add, const Route& r, std::string& error) {
  int idx = ifindex(r.ifname, error);
  if (idx < 0) return false;
  const std::string s = text(r.dst);
  const int family = r.dst.v6 ? AF_INET6 : AF_INET;
  nl_addr* dst = nullptr;
  int rc = nl_addr_parse(s.c_str(), family, &dst);
  if (rc < 0) {
    error = "bad prefix " + s + ": " + nl_geterror(rc);
    return false;
  }
  rtnl_route* route = rtnl_route_alloc();
  rtnl_route_set_family(route, static_cast<uint8_t>(family));
  rtnl_route_set_dst(route, dst);
  rtnl_route_set_table(route, r.table);
  rtnl_route_set_priority(route, r.metric);
  rtnl_route_set_protocol(route, RTPROT_STATIC);
  rtnl_route_set_scope(route, r.gateway != 0 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
  if (r.mtu != 0) rtnl_route_set_metric(route, RTAX_MTU, r.mtu);
  if (r.advmss != 0) rtnl_route_set_metric(route, RTAX_ADVMSS, r.advmss);
  nl_addr* src = nullptr;
  if (r.prefsrc) {
    const std::string p = xlat::to_string(*r.prefsrc);
    if (nl_addr_parse(p.c_str(), AF_INET, &src) == 0) rtnl_route_set_pref_src(route, src);
  }
  nl_addr* gw = nullptr;
  rtnl_nexthop* nh = rtnl_route_nh_alloc();
  rtnl_route_nh_set_ifindex(nh, idx);
  if (r.gateway != 0) {
    const std::string g = xlat::to_string(r.gateway);
    if (nl_addr_parse(g.c_str(), AF_INET, &gw) == 0) rtnl_route_nh_set_gateway(nh, gw);
  }
  rtnl_route_add_nexthop(route, nh);
  rc = add ? rtnl_route_add(sock_, route, NLM_F_CREATE | NLM_F_REPLACE) : rtnl_route_delete(sock_, route, 0);
  rtnl_route_put(route);
  nl_addr_put(dst);
  if (src != nullptr) nl_addr_put(src);
  if (gw != nullptr) nl_addr_put(gw);
  if (rc < 0 && !(!add && (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NOADDR || rc == -NLE_NODEV))) {
    error = std::string(add ? "cannot add route " : "cannot delete route ") + s + " dev " + r.ifname + ": " +
            nl_geterror(rc);
    return false;
  }
  return true;
}

bool Netlink::set_proxy_neighbour(bool add, const std::string& ifname, const xlat::Ipv6Addr& a,
                                  std::string& error) {
  int idx = ifindex(ifname, error);
  if (idx < 0) return false;
  const std::string s = xlat::to_string(a);
  nl_addr* dst = nullptr;
  int rc = nl_addr_parse(s.c_str(), AF_INET6, &dst);
  if (rc < 0) {
    error = "bad address " + s;
    return false;
  }
  rtnl_neigh* n = rtnl_neigh_alloc();
  rtnl_neigh_set_ifindex(n, idx);
  rtnl_neigh_set_family(n, AF_INET6);
  rtnl_neigh_set_dst(n, dst);
  rtnl_neigh_set_flags(n, NTF_PROXY);
  rc = add ? rtnl_neigh_add(sock_, n, NLM_F_CREATE | NLM_F_REPLACE) : rtnl_neigh_delete(sock_, n, 0);
  rtnl_neigh_put(n);
  nl_addr_put(dst);
  if (rc < 0 && !(!add && (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_NODEV))) {
    error = std::string(add ? "cannot add" : "cannot delete") + " proxy neighbour " + s + " on " + ifname + ": " +
            nl_geterror(rc);
    return false;
  }
  return true;
}

bool Netlink::set_rule6(bool add, uint32_t pref, uint32_t fwmark, uint32_t table, std::string& error) {
  rtnl_rule* r = rtnl_rule_alloc();
  rtnl_rule_set_family(r, AF_INET6);
  rtnl_rule_set_prio(r, pref);
  rtnl_rule_set_table(r, table);
  rtnl_rule_set_action(r, FR_ACT_TO_TBL);
  if (fwmark != 0) {
    rtnl_rule_set_mark(r, fwmark);
    rtnl_rule_set_mask(r, 0xffffffff);
  }
  int rc = add ? rtnl_rule_add(sock_, r, NLM_F_CREATE) : rtnl_rule_delete(sock_, r, 0);
  rtnl_rule_put(r);
  if (rc < 0 && !(!add && rc == -NLE_OBJ_NOTFOUND)) {
    error = std::string(add ? "cannot add" : "cannot delete") + " IPv6 rule pref " + std::to_string(pref) +
            (fwmark ? " fwmark " + std::to_string(fwmark) : "") + " lookup " + std::to_string(table) + ": " +
            nl_geterror(rc);
    return false;
  }
  return true;
}

NetlinkWatch::NetlinkWatch() {
  fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd_ < 0) return;
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE;
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

NetlinkWatch::~NetlinkWatch() {
  if (fd_ >= 0) ::close(fd_);
}

unsigned NetlinkWatch::drain() {
  unsigned n = 0;
  char buf[16384];
  // A full socket buffer (ENOBUFS) also means "something changed": look again.
  for (;;) {
    ssize_t r = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (r < 0 && errno == ENOBUFS) {
      ++n;
      continue;
    }
    if (r <= 0) break;
    ++n;
  }
  return n;
}

}  // namespace xlatd
