// Neighbor Discovery on the uplink (RFC 4861) as the CLAT needs it: hear Router
// Advertisements (for their PREF64 option), solicit them at start, and probe whether
// an address is already in use before claiming it. One raw ICMPv6 socket bound to the
// uplink; the kernel's own ND carries on untouched.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "clat/prefix_discovery.hpp"
#include "xlat/addr.hpp"

namespace xlatd::clat {

struct NdEvent {
  enum class Kind { RouterAdvertisement, NeighborAdvertisement, Invalid } kind = Kind::Invalid;
  xlat::Ipv6Addr source;
  std::vector<Pref64> pref64;   // RouterAdvertisement
  uint16_t router_lifetime = 0; // RouterAdvertisement: nonzero from a default router (RFC 4861 §4.2)
  xlat::Ipv6Addr target;        // NeighborAdvertisement
  std::string invalid_why;      // Invalid: why it was ignored
};

class NdSocket {
 public:
  NdSocket() = default;
  NdSocket(const NdSocket&) = delete;
  NdSocket& operator=(const NdSocket&) = delete;
  ~NdSocket() { close(); }

  bool open(const std::string& ifname, std::string& error);
  void close();
  int fd() const { return fd_; }
  const std::string& ifname() const { return ifname_; }

  // RFC 4861 §6.3.7: ask routers to advertise now instead of at their next interval.
  bool send_router_solicitation(std::string& error);
  // A Neighbor Solicitation for `target` to its solicited-node multicast group
  // (RFC 4861 §7.2.2): any node holding (or proxying) it answers.
  bool send_neighbor_solicitation(const xlat::Ipv6Addr& target, std::string& error);
  // One received message (nullopt when nothing is waiting). RFC 4861 §6.1.2 / §7.1.2
  // validity: hop limit 255, and an RA from a link-local source; others are Invalid.
  std::optional<NdEvent> receive();

 private:
  int fd_ = -1;
  int ifindex_ = 0;
  std::string ifname_;
};

}  // namespace xlatd::clat
