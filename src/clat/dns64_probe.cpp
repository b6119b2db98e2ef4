#include "clat/dns64_probe.hpp"

#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "clat/prefix_discovery.hpp"

namespace xlatd::clat {

void Dns64Probe::close() {
  if (fd4_ >= 0) ::close(fd4_);
  if (fd6_ >= 0) ::close(fd6_);
  fd4_ = fd6_ = -1;
  in_flight_ = false;
}

bool Dns64Probe::ask(const std::vector<Nameserver>& servers, std::string& error) {
  close();
  // A fresh random id per query (RFC 5452 §9.2), so a late answer to an old query or a
  // spoofed one is told apart.
  if (::getrandom(&id_, sizeof id_, 0) != sizeof id_) id_ ^= 0x5a5a;
  const auto query = ipv4only_query(id_);
  asked_ = servers;
  unsigned sent = 0;
  error.clear();
  for (const auto& s : servers) {
    int& fd = s.v6 ? fd6_ : fd4_;
    if (fd < 0) fd = ::socket(s.v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    ssize_t rc;
    if (s.v6) {
      sockaddr_in6 to{};
      to.sin6_family = AF_INET6;
      to.sin6_port = htons(53);
      std::memcpy(&to.sin6_addr, s.v6addr.b.data(), 16);
      rc = ::sendto(fd, query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    } else {
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(53);
      to.sin_addr.s_addr = htonl(s.v4);
      rc = ::sendto(fd, query.data(), query.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    }
    if (rc >= 0) {
      ++sent;
    } else {
      error = std::string("DNS query: ") + std::strerror(errno);
    }
  }
  in_flight_ = sent > 0;
  if (servers.empty()) error = "no resolver (dns64-servers empty and none in /etc/resolv.conf)";
  return in_flight_;
}

std::optional<std::vector<xlat::Ipv6Prefix>> Dns64Probe::receive_on(int fd) {
  uint8_t buf[4096];
  for (;;) {
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    ssize_t n = ::recvfrom(fd, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) return std::nullopt;
    // Only a resolver we asked, from port 53, may answer (a local user can send from ::1
    // but not from port 53): RFC 5452 §9.1.
    bool asked = false;
    for (const auto& s : asked_) {
      if (s.v6 && from.ss_family == AF_INET6) {
        const auto& f6 = reinterpret_cast<const sockaddr_in6&>(from);
        asked |= ntohs(f6.sin6_port) == 53 && std::memcmp(&f6.sin6_addr, s.v6addr.b.data(), 16) == 0;
      } else if (!s.v6 && from.ss_family == AF_INET) {
        const auto& f4 = reinterpret_cast<const sockaddr_in&>(from);
        asked |= ntohs(f4.sin_port) == 53 && ntohl(f4.sin_addr.s_addr) == s.v4;
      }
    }
    if (!asked) continue;
    std::span<const uint8_t> r(buf, static_cast<size_t>(n));
    switch (check_ipv4only_response(r, id_)) {
      case DnsVerdict::NotOurs:
        continue;
      case DnsVerdict::Truncated:
      case DnsVerdict::Failed:
        // No TCP retry yet: a truncated or failed answer counts as none from this
        // resolver; the others, or the next round, may answer.
        continue;
      case DnsVerdict::Answer:
        in_flight_ = false;
        return prefixes_from_ipv4only_answers(aaaa_answers(r, &ttl_));
    }
  }
}

std::optional<std::vector<xlat::Ipv6Prefix>> Dns64Probe::receive() {
  if (!in_flight_) return std::nullopt;
  for (int fd : {fd4_, fd6_}) {
    if (fd < 0) continue;
    if (auto p = receive_on(fd)) return p;
  }
  return std::nullopt;
}

}  // namespace xlatd::clat
