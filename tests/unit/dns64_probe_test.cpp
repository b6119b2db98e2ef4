// Issue 14, finding 3: RFC 7050 discovery on real sockets, against a resolver played by
// the test on loopback (a port of its own instead of 53). What counts as an answer is
// what came from the resolver asked; a truncated answer is asked again over TCP.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <vector>

#include "clat/dns64_probe.hpp"
#include "clat/prefix_discovery.hpp"

namespace {

using namespace xlatd::clat;
using Bytes = std::vector<uint8_t>;

// The answer to `query` (the probe's own): QR set, TC as asked, one AAAA that embeds
// 192.0.0.170 in `prefix96` (RFC 7050 §3).
Bytes answer(const Bytes& query, bool truncated, const char* prefix96) {
  Bytes r = query;
  r[2] |= 0x80;
  if (truncated) {
    r[2] |= 0x02;
    return r;
  }
  r[7] = 1;  // ANCOUNT
  auto a = *xlat::parse_ipv6(prefix96);
  a.b[12] = 192, a.b[13] = 0, a.b[14] = 0, a.b[15] = 170;
  r.insert(r.end(), {0xc0, 12, 0, 28, 0, 1, 0, 0, 0x0e, 0x10, 0, 16});
  r.insert(r.end(), a.b.begin(), a.b.end());
  return r;
}

class Resolver {
 public:
  Resolver() {
    udp_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(udp_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    socklen_t len = sizeof a;
    ::getsockname(udp_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    tcp_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(tcp_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    EXPECT_EQ(::bind(tcp_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);  // same port, TCP
    EXPECT_EQ(::listen(tcp_, 4), 0);
  }
  ~Resolver() {
    ::close(udp_);
    ::close(tcp_);
  }
  uint16_t port() const { return port_; }
  // The next UDP query and where it came from.
  Bytes read_query(sockaddr_in& from) {
    uint8_t buf[512];
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(udp_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    return n > 0 ? Bytes(buf, buf + n) : Bytes{};
  }
  void reply(const Bytes& r, const sockaddr_in& to) {
    ::sendto(udp_, r.data(), r.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  }
  int tcp() const { return tcp_; }

 private:
  int udp_ = -1, tcp_ = -1;
  uint16_t port_ = 0;
};

Nameserver loopback() {
  Nameserver s;
  s.v4 = 0x7f000001;
  return s;
}

// Drives the probe as the daemon's loop does until it has an answer (bounded: a probe
// that never answers fails the test instead of hanging it).
std::optional<std::vector<xlat::Ipv6Prefix>> drive(Dns64Probe& probe, const std::function<void()>& serve = {}) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<pollfd> fds;
    probe.add_poll_fds(fds);
    ::poll(fds.data(), fds.size(), 50);
    if (serve) serve();
    if (auto found = probe.receive()) return found;
  }
  return std::nullopt;
}

TEST(Rfc7050Section3, AnAnswerFromAnotherPortIsNeverRead) {
  Resolver r;
  Dns64Probe probe(r.port());
  std::string err;
  ASSERT_TRUE(probe.ask({loopback()}, err)) << err;
  sockaddr_in client{};
  const Bytes q = r.read_query(client);
  ASSERT_GE(q.size(), 12u);
  // The attacker knows the port and even the id: a perfect answer, from another port.
  int spoofer = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  const Bytes fake = answer(q, false, "2001:db8:bad::");
  ASSERT_EQ(::sendto(spoofer, fake.data(), fake.size(), 0, reinterpret_cast<sockaddr*>(&client), sizeof client),
            static_cast<ssize_t>(fake.size()));
  ::close(spoofer);
  // Then the resolver's own; had the first been delivered, it would be read first.
  r.reply(answer(q, false, "2001:db8:64::"), client);
  auto found = drive(probe);
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(xlat::to_string((*found)[0]), "2001:db8:64::/96");
}

TEST(Rfc7766Section5, ATruncatedAnswerIsAskedAgainOverTcp) {
  Resolver r;
  Dns64Probe probe(r.port());
  std::string err;
  ASSERT_TRUE(probe.ask({loopback()}, err)) << err;
  sockaddr_in client{};
  const Bytes q = r.read_query(client);
  ASSERT_GE(q.size(), 12u);
  r.reply(answer(q, true, "2001:db8:64::"), client);
  int conn = -1;
  Bytes tcp_query;
  auto serve = [&] {
    if (conn < 0) {
      pollfd p{r.tcp(), POLLIN, 0};
      if (::poll(&p, 1, 0) == 1) conn = ::accept(r.tcp(), nullptr, nullptr);
      return;
    }
    uint8_t buf[512];
    pollfd p{conn, POLLIN, 0};
    if (::poll(&p, 1, 0) != 1) return;
    ssize_t n = ::recv(conn, buf, sizeof buf, 0);
    if (n > 0) tcp_query.insert(tcp_query.end(), buf, buf + n);
    if (tcp_query.size() >= 2 && tcp_query.size() == 2 + size_t(tcp_query[0] << 8 | tcp_query[1])) {
      const Bytes a = answer(Bytes(tcp_query.begin() + 2, tcp_query.end()), false, "2001:db8:64::");
      Bytes framed = {static_cast<uint8_t>(a.size() >> 8), static_cast<uint8_t>(a.size())};
      framed.insert(framed.end(), a.begin(), a.end());
      ::send(conn, framed.data(), framed.size(), MSG_NOSIGNAL);
      tcp_query.clear();
    }
  };
  auto found = drive(probe, serve);
  if (conn >= 0) ::close(conn);
  ASSERT_TRUE(found.has_value()) << "no answer after the truncated one";
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(xlat::to_string((*found)[0]), "2001:db8:64::/96");
  EXPECT_EQ(probe.tcp_retries(), 1u);
  EXPECT_EQ(probe.answer_ttl(), 3600u);
}

}  // namespace
