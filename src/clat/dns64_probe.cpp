#include "clat/dns64_probe.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "clat/prefix_discovery.hpp"

namespace xlatd::clat {

namespace {

socklen_t address_of(const Nameserver& s, uint16_t port, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof ss);
  if (s.v6) {
    auto& to = reinterpret_cast<sockaddr_in6&>(ss);
    to.sin6_family = AF_INET6;
    to.sin6_port = htons(port);
    std::memcpy(&to.sin6_addr, s.v6addr.b.data(), 16);
    return sizeof to;
  }
  auto& to = reinterpret_cast<sockaddr_in&>(ss);
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(s.v4);
  return sizeof to;
}

constexpr size_t kMaxTcpAnswer = 65535 + 2;

}  // namespace

void Dns64Probe::close_peer(Peer& p) {
  if (p.udp >= 0) ::close(p.udp);
  if (p.tcp >= 0) ::close(p.tcp);
  p.udp = p.tcp = -1;
}

void Dns64Probe::close() {
  for (auto& p : peers_) close_peer(p);
  peers_.clear();
  in_flight_ = false;
}

bool Dns64Probe::ask(const std::vector<Nameserver>& servers, std::string& error) {
  close();
  error.clear();
  if (servers.empty()) {
    error = "no resolver (dns64-servers empty and none in /etc/resolv.conf)";
    return false;
  }
  // A fresh random id per query (RFC 5452 §9.2); without randomness, no query at all
  // rather than a guessable one.
  if (::getrandom(&id_, sizeof id_, GRND_NONBLOCK) != sizeof id_) {
    error = std::string("DNS query: no random id (getrandom: ") + std::strerror(errno) + ")";
    return false;
  }
  query_ = ipv4only_query(id_);
  for (const auto& s : servers) {
    Peer p;
    p.server = s;
    sockaddr_storage to;
    const socklen_t len = address_of(s, port_, to);
    p.udp = ::socket(s.v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    // connect(): a random local port, and from now on only this resolver's datagrams.
    if (p.udp < 0 || ::connect(p.udp, reinterpret_cast<sockaddr*>(&to), len) != 0 ||
        ::send(p.udp, query_.data(), query_.size(), 0) < 0) {
      error = std::string("DNS query: ") + std::strerror(errno);
      close_peer(p);
      continue;
    }
    peers_.push_back(std::move(p));
  }
  in_flight_ = !peers_.empty();
  return in_flight_;
}

void Dns64Probe::add_poll_fds(std::vector<pollfd>& fds) const {
  if (!in_flight_) return;
  for (const auto& p : peers_) {
    if (p.udp >= 0) fds.push_back({p.udp, POLLIN, 0});
    if (p.tcp >= 0) fds.push_back({p.tcp, static_cast<short>(p.tcp_sent ? POLLIN : POLLOUT), 0});
  }
}

bool Dns64Probe::start_tcp(Peer& p) {
  sockaddr_storage to;
  const socklen_t len = address_of(p.server, port_, to);
  p.tcp = ::socket(p.server.v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (p.tcp < 0) return false;
  if (::connect(p.tcp, reinterpret_cast<sockaddr*>(&to), len) != 0 && errno != EINPROGRESS) {
    ::close(p.tcp);
    p.tcp = -1;
    return false;
  }
  p.tcp_sent = false;
  p.in.clear();
  ++tcp_retries_;
  return true;
}

std::optional<std::vector<xlat::Ipv6Prefix>> Dns64Probe::judge(std::span<const uint8_t> r, Peer& p) {
  switch (check_ipv4only_response(r, id_)) {
    case DnsVerdict::NotOurs:
      return std::nullopt;
    case DnsVerdict::Truncated:
      // RFC 7766 §5: a truncated answer is asked again over TCP (once per query).
      if (p.tcp < 0 && p.udp >= 0) {
        ::close(p.udp);
        p.udp = -1;
        start_tcp(p);
      }
      return std::nullopt;
    case DnsVerdict::Failed:
      // SERVFAIL, REFUSED...: no answer from this resolver; the others may give one.
      close_peer(p);
      return std::nullopt;
    case DnsVerdict::Answer:
      in_flight_ = false;
      return prefixes_from_ipv4only_answers(aaaa_answers(r, &ttl_));
  }
  return std::nullopt;
}

std::optional<std::vector<xlat::Ipv6Prefix>> Dns64Probe::receive() {
  if (!in_flight_) return std::nullopt;
  for (auto& p : peers_) {
    uint8_t buf[4096];
    // UDP: only this resolver's datagrams reach a connected socket.
    while (p.udp >= 0) {
      ssize_t n = ::recv(p.udp, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0) {
        if (errno != EAGAIN && errno != EINTR) close_peer(p);  // e.g. ICMP port unreachable
        break;
      }
      if (auto found = judge({buf, static_cast<size_t>(n)}, p)) return found;
    }
    if (p.tcp < 0) continue;
    if (!p.tcp_sent) {
      // Connected once writable; the query goes with its 2-byte length (RFC 1035 §4.2.2).
      int err = 0;
      socklen_t el = sizeof err;
      if (::getsockopt(p.tcp, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err != 0) {
        close_peer(p);
        continue;
      }
      std::vector<uint8_t> framed = {static_cast<uint8_t>(query_.size() >> 8), static_cast<uint8_t>(query_.size())};
      framed.insert(framed.end(), query_.begin(), query_.end());
      ssize_t n = ::send(p.tcp, framed.data(), framed.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n == static_cast<ssize_t>(framed.size())) {
        p.tcp_sent = true;
      } else if (!(n < 0 && (errno == EAGAIN || errno == ENOTCONN))) {
        close_peer(p);  // a query this small goes out whole or not at all
      }
      continue;
    }
    for (;;) {
      ssize_t n = ::recv(p.tcp, buf, sizeof buf, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        close_peer(p);
        break;
      }
      if (n < 0) break;
      p.in.insert(p.in.end(), buf, buf + n);
      if (p.in.size() > kMaxTcpAnswer) {
        close_peer(p);
        break;
      }
      if (p.in.size() >= 2) {
        const size_t want = size_t{p.in[0]} << 8 | p.in[1];
        if (p.in.size() >= 2 + want) {
          std::span<const uint8_t> msg(p.in.data() + 2, want);
          auto found = judge(msg, p);
          close_peer(p);  // one answer per connection, whatever it said
          if (found) return found;
          break;
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace xlatd::clat
