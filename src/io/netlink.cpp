#include "io/netlink.hpp"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/rtnetlink.h>
#include <netlink/cache.h>
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

// An interface's name from its index (in this network namespace); "" when it is gone.
std::string ifname_of(int index) {
  char name[IF_NAMESIZE] = {};
  return index > 0 && if_indextoname(static_cast<unsigned>(index), name) != nullptr ? name : "";
}

// The single owner of a libnl cache.
struct CacheRef {
  nl_cache* c = nullptr;
  ~CacheRef() {
    if (c != nullptr) nl_cache_free(c);
  }
};

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

// The kernel's current record of the link `ifname` (the caller puts it), or nullptr
// with `error`.
rtnl_link* Netlink::kernel_link(const std::string& ifname, std::string& error) {
  rtnl_link* link = nullptr;
  const int rc = rtnl_link_get_kernel(sock_, 0, ifname.c_str(), &link);
  if (rc < 0) {
    error = "no interface " + ifname + ": " + nl_geterror(rc);
    return nullptr;
  }
  return link;
}

int Netlink::ifindex(const std::string& ifname, std::string& error) {
  rtnl_link* link = kernel_link(ifname, error);
  if (link == nullptr) return -1;
  int idx = rtnl_link_get_ifindex(link);
  rtnl_link_put(link);
  return idx;
}

int Netlink::ethernet_ifindex(const std::string& ifname, std::string& error) {
  rtnl_link* link = kernel_link(ifname, error);
  if (link == nullptr) return -1;
  const unsigned type = rtnl_link_get_arptype(link);
  const int idx = rtnl_link_get_ifindex(link);
  rtnl_link_put(link);
  if (type != ARPHRD_ETHER) {
    error = ifname + " is not an Ethernet device";
    return -1;
  }
  return idx;
}

bool Netlink::link_up(const std::string& ifname, std::string& error) {
  rtnl_link* link = kernel_link(ifname, error);
  if (link == nullptr) return false;
  rtnl_link* change = rtnl_link_alloc();
  rtnl_link_set_flags(change, IFF_UP);
  const int rc = rtnl_link_change(sock_, link, change, 0);
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

bool Netlink::ipv6_addresses(std::vector<HostAddress6>& out, std::string& error) {
  out.clear();
  CacheRef cache;
  if (int rc = rtnl_addr_alloc_cache(sock_, &cache.c); rc < 0) {
    error = std::string("cannot list addresses: ") + nl_geterror(rc);
    return false;
  }
  for (nl_object* o = nl_cache_get_first(cache.c); o != nullptr; o = nl_cache_get_next(o)) {
    auto* a = reinterpret_cast<rtnl_addr*>(o);
    nl_addr* local = rtnl_addr_get_local(a);
    if (rtnl_addr_get_family(a) != AF_INET6 || local == nullptr || nl_addr_get_len(local) != 16) continue;
    HostAddress6 h;
    std::memcpy(h.addr.b.data(), nl_addr_get_binary_addr(local), 16);
    h.prefix_len = static_cast<uint8_t>(rtnl_addr_get_prefixlen(a));
    h.dev = ifname_of(rtnl_addr_get_ifindex(a));
    h.global = rtnl_addr_get_scope(a) == RT_SCOPE_UNIVERSE;
    h.usable = (rtnl_addr_get_flags(a) & (IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED)) == 0;
    if (!h.dev.empty()) out.push_back(std::move(h));
  }
  return true;
}

bool Netlink::ipv4_default_routes(std::vector<DefaultRoute4>& out, std::string& error) {
  out.clear();
  CacheRef cache;
  if (int rc = rtnl_route_alloc_cache(sock_, AF_INET, 0, &cache.c); rc < 0) {
    error = std::string("cannot list IPv4 routes: ") + nl_geterror(rc);
    return false;
  }
  for (nl_object* o = nl_cache_get_first(cache.c); o != nullptr; o = nl_cache_get_next(o)) {
    auto* r = reinterpret_cast<rtnl_route*>(o);
    nl_addr* dst = rtnl_route_get_dst(r);
    if (rtnl_route_get_table(r) != RT_TABLE_MAIN || rtnl_route_get_type(r) != RTN_UNICAST ||
        (dst != nullptr && nl_addr_get_prefixlen(dst) != 0)) {
      continue;
    }
    // One entry per next hop: a multipath default is several ways out.
    for (int i = 0; i < rtnl_route_get_nnexthops(r); ++i) {
      rtnl_nexthop* nh = rtnl_route_nexthop_n(r, i);
      DefaultRoute4 d;
      d.dev = ifname_of(rtnl_route_nh_get_ifindex(nh));
      d.metric = rtnl_route_get_priority(r);
      if (nl_addr* gw = rtnl_route_nh_get_gateway(nh); gw != nullptr && nl_addr_get_len(gw) == 4) {
        uint32_t be = 0;
        std::memcpy(&be, nl_addr_get_binary_addr(gw), 4);
        d.gateway = ntohl(be);
      }
      if (!d.dev.empty()) out.push_back(std::move(d));
    }
  }
  return true;
}

std::string Netlink::route_dev6(const xlat::Ipv6Addr& dst, std::string& error) {
  nl_addr* a = nl_addr_build(AF_INET6, dst.b.data(), 16);
  if (a == nullptr) {
    error = "out of memory";
    return "";
  }
  rtnl_route* found = nullptr;
  const int rc = rtnl_route_lookup(sock_, a, &found);
  nl_addr_put(a);
  if (rc < 0) {
    error = "no route to " + xlat::to_string(dst) + ": " + nl_geterror(rc);
    return "";
  }
  std::string dev;
  // An unreachable/prohibit/blackhole route answers with the loopback: no way out.
  if (rtnl_route_get_type(found) == RTN_UNICAST && rtnl_route_get_nnexthops(found) > 0) {
    dev = ifname_of(rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(found, 0)));
  }
  if (dev.empty()) error = "no route to " + xlat::to_string(dst) + " (a reject route)";
  rtnl_route_put(found);
  return dev;
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
    return;
  }
  // Policy rules decide the uplink too (Netlink::route_dev6): a new rule is a change.
  for (int group : {RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE}) {
    ::setsockopt(fd_, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group);
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
