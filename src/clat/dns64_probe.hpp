// RFC 7050 discovery on the wire: ask the resolvers for ipv4only.arpa AAAA, read the
// answers from the daemon's poll loop, and say when to ask again. No blocking.
//
// What an answer must be to count (an unprivileged local user could otherwise steer
// all of the host's IPv4 through a prefix of their choosing):
// - from a resolver that was asked: one UDP socket per resolver, connect()ed, so the
//   kernel delivers only datagrams from that address and port (RFC 5452 §9.1), on a
//   random source port, with a random id from getrandom (RFC 5452 §9.2; no query goes
//   out when the kernel has no randomness to give);
// - the answer to our question (check_ipv4only_response: id, question, RCODE);
// - truncated (TC): asked again over TCP, on a non-blocking connection (RFC 7766 §5);
// - the prefixes it yields are validated (prefixes_from_ipv4only_answers).
#pragma once

#include <poll.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "clat/host_probe.hpp"
#include "xlat/addr.hpp"

namespace xlatd::clat {

class Dns64Probe {
 public:
  // `port` is 53 but for tests.
  explicit Dns64Probe(uint16_t port = 53) : port_(port) {}
  Dns64Probe(const Dns64Probe&) = delete;
  Dns64Probe& operator=(const Dns64Probe&) = delete;
  ~Dns64Probe() { close(); }

  // Sends the query to every server; false when none could be asked.
  bool ask(const std::vector<Nameserver>& servers, std::string& error);
  // Appends what to poll while a query is in flight.
  void add_poll_fds(std::vector<pollfd>& fds) const;
  bool in_flight() const { return in_flight_; }
  // Reads what arrived; returns the prefixes once an answer to our query came (empty
  // when the resolver has no DNS64), nullopt while still waiting.
  std::optional<std::vector<xlat::Ipv6Prefix>> receive();
  // The smallest TTL of the AAAA records in the last answer (0 when it had none).
  uint32_t answer_ttl() const { return ttl_; }
  // Resolvers asked again over TCP since start (their UDP answer was truncated).
  unsigned tcp_retries() const { return tcp_retries_; }
  void close();

 private:
  struct Peer {
    Nameserver server;
    int udp = -1;
    int tcp = -1;             // the TCP retry, once the UDP answer was truncated
    bool tcp_sent = false;    // the query went out on it
    std::vector<uint8_t> in;  // TCP bytes so far (2-byte length, then the message)
  };
  std::optional<std::vector<xlat::Ipv6Prefix>> judge(std::span<const uint8_t> r, Peer& p);
  bool start_tcp(Peer& p);
  void close_peer(Peer& p);
  uint16_t port_;
  std::vector<Peer> peers_;
  std::vector<uint8_t> query_;
  uint16_t id_ = 0;
  uint32_t ttl_ = 0;
  bool in_flight_ = false;
  unsigned tcp_retries_ = 0;
};

}  // namespace xlatd::clat
