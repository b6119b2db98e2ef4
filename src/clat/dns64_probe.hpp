// RFC 7050 discovery on the wire: ask the resolvers for ipv4only.arpa AAAA over UDP,
// read the answers from the daemon's poll loop, and say when to ask again. One query
// in flight at a time; no blocking.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clat/host_probe.hpp"
#include "xlat/addr.hpp"

namespace xlatd::clat {

class Dns64Probe {
 public:
  Dns64Probe() = default;
  Dns64Probe(const Dns64Probe&) = delete;
  Dns64Probe& operator=(const Dns64Probe&) = delete;
  ~Dns64Probe() { close(); }

  // Sends the query to every server; false when none could be asked.
  bool ask(const std::vector<Nameserver>& servers, std::string& error);
  // The sockets to poll while a query is in flight (-1 when unused).
  int fd4() const { return fd4_; }
  int fd6() const { return fd6_; }
  bool in_flight() const { return in_flight_; }
  // Reads what arrived; returns the prefixes once an answer to our query came (empty
  // when the resolver has no DNS64), nullopt while still waiting.
  std::optional<std::vector<xlat::Ipv6Prefix>> receive();
  // The smallest TTL of the AAAA records in the last answer (0 when it had none).
  uint32_t answer_ttl() const { return ttl_; }
  void close();

 private:
  std::optional<std::vector<xlat::Ipv6Prefix>> receive_on(int fd);
  std::vector<Nameserver> asked_;  // an answer must come from one of them, port 53
  int fd4_ = -1;
  int fd6_ = -1;
  uint16_t id_ = 0;
  uint32_t ttl_ = 0;
  bool in_flight_ = false;
};

}  // namespace xlatd::clat
