#include "clat/nd_socket.hpp"

#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace xlatd::clat {

namespace {

sockaddr_in6 to_sockaddr(const xlat::Ipv6Addr& a, int ifindex) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  std::memcpy(&sa.sin6_addr, a.b.data(), 16);
  sa.sin6_scope_id = static_cast<uint32_t>(ifindex);
  return sa;
}

}  // namespace

bool NdSocket::open(const std::string& ifname, std::string& error) {
  close();
  ifindex_ = static_cast<int>(::if_nametoindex(ifname.c_str()));
  if (ifindex_ == 0) {
    error = "no interface " + ifname;
    return false;
  }
  fd_ = ::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
  if (fd_ < 0) {
    error = std::string("ICMPv6 socket: ") + std::strerror(errno);
    return false;
  }
  icmp6_filter filter;
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ND_ROUTER_ADVERT, &filter);
  ICMP6_FILTER_SETPASS(ND_NEIGHBOR_ADVERT, &filter);
  const int hops = 255, on = 1;
  if (::setsockopt(fd_, SOL_SOCKET, SO_BINDTODEVICE, ifname.c_str(), static_cast<socklen_t>(ifname.size())) != 0 ||
      ::setsockopt(fd_, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) != 0 ||
      ::setsockopt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) != 0 ||
      ::setsockopt(fd_, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) != 0 ||
      ::setsockopt(fd_, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex_, sizeof ifindex_) != 0 ||
      ::setsockopt(fd_, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) != 0) {
    error = "ICMPv6 socket on " + ifname + ": " + std::strerror(errno);
    close();
    return false;
  }
  ifname_ = ifname;
  return true;
}

void NdSocket::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ifname_.clear();
}

bool NdSocket::send_router_solicitation(std::string& error) {
  // RFC 4861 §4.1: type 133, code 0, checksum (the kernel fills it), reserved.
  const uint8_t rs[8] = {ND_ROUTER_SOLICIT, 0, 0, 0, 0, 0, 0, 0};
  xlat::Ipv6Addr all_routers{};
  all_routers.b[0] = 0xff;
  all_routers.b[1] = 0x02;
  all_routers.b[15] = 0x02;
  sockaddr_in6 to = to_sockaddr(all_routers, ifindex_);
  if (::sendto(fd_, rs, sizeof rs, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) {
    error = "router solicitation on " + ifname_ + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool NdSocket::send_neighbor_solicitation(const xlat::Ipv6Addr& target, std::string& error) {
  // RFC 4861 §4.3: type 135, code 0, checksum, reserved, target address.
  uint8_t ns[24] = {ND_NEIGHBOR_SOLICIT, 0};
  std::memcpy(ns + 8, target.b.data(), 16);
  // RFC 4291 §2.7.1: the solicited-node group ff02::1:ffXX:XXXX of the target.
  xlat::Ipv6Addr group{};
  group.b[0] = 0xff;
  group.b[1] = 0x02;
  group.b[11] = 0x01;
  group.b[12] = 0xff;
  group.b[13] = target.b[13];
  group.b[14] = target.b[14];
  group.b[15] = target.b[15];
  sockaddr_in6 to = to_sockaddr(group, ifindex_);
  if (::sendto(fd_, ns, sizeof ns, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) {
    error = "neighbor solicitation on " + ifname_ + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

std::optional<NdEvent> NdSocket::receive() {
  if (fd_ < 0) return std::nullopt;
  uint8_t buf[2048];
  alignas(cmsghdr) uint8_t control[128];
  sockaddr_in6 from{};
  iovec iov{buf, sizeof buf};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(fd_, &msg, MSG_DONTWAIT);
  if (n <= 0) return std::nullopt;
  int hoplimit = -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) std::memcpy(&hoplimit, CMSG_DATA(c), sizeof hoplimit);
  }
  NdEvent ev;
  std::memcpy(ev.source.b.data(), &from.sin6_addr, 16);
  const auto len = static_cast<size_t>(n);
  if (hoplimit != 255) {
    ev.invalid_why = "hop limit " + std::to_string(hoplimit) + " (RFC 4861 requires 255)";
    return ev;
  }
  if (buf[0] == ND_ROUTER_ADVERT) {
    // RFC 4861 §6.1.2: the source must be link-local (fe80::/10).
    if (len < 16 || ev.source.b[0] != 0xfe || (ev.source.b[1] & 0xc0) != 0x80) {
      ev.invalid_why = "router advertisement from a non-link-local source or too short";
      return ev;
    }
    ev.kind = NdEvent::Kind::RouterAdvertisement;
    ev.router_lifetime = static_cast<uint16_t>(buf[6] << 8 | buf[7]);
    ev.pref64 = pref64_from_router_advertisement({buf, len});
  } else if (buf[0] == ND_NEIGHBOR_ADVERT && len >= 24) {
    ev.kind = NdEvent::Kind::NeighborAdvertisement;
    std::memcpy(ev.target.b.data(), buf + 8, 16);
  } else {
    ev.invalid_why = "unexpected ICMPv6 type " + std::to_string(buf[0]);
  }
  return ev;
}

}  // namespace xlatd::clat
