#include "xlat/addr.hpp"

#include <algorithm>

#include <arpa/inet.h>

#include <cstring>

#include <charconv>

namespace xlat {

bool Ipv4Prefix::contains(Ipv4Addr a) const {
  return ((a ^ addr) & ipv4_mask(len)) == 0;
}

bool Ipv6Prefix::contains(const Ipv6Addr& a) const {
  return ipv6_prefix_equal(a, addr, len);
}

bool Ipv4Prefix::overlaps(const Ipv4Prefix& o) const {
  return ((addr ^ o.addr) & ipv4_mask(std::min(len, o.len))) == 0;
}

bool Ipv6Prefix::overlaps(const Ipv6Prefix& o) const {
  return ipv6_prefix_equal(addr, o.addr, std::min(len, o.len));
}

bool ipv6_prefix_equal(const Ipv6Addr& a, const Ipv6Addr& b, unsigned len) {
  unsigned full = len / 8;
  for (unsigned i = 0; i < full; ++i) {
    if (a.b[i] != b.b[i]) return false;
  }
  unsigned rest = len % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return ((a.b[full] ^ b.b[full]) & mask) == 0;
}

Ipv6Addr ipv6_masked(const Ipv6Addr& a, unsigned len) {
  Ipv6Addr out = a;
  for (unsigned i = 0; i < 16; ++i) {
    unsigned bit = i * 8;
    if (bit >= len) {
      out.b[i] = 0;
    } else if (bit + 8 > len) {
      out.b[i] &= static_cast<uint8_t>(0xff << (8 - (len - bit)));
    }
  }
  return out;
}

namespace {

// inet_pton wants a C string: the text on the stack (no allocation; a million
// dynamic.map lines are parsed at start). Longer than any address: not one.
template <size_t N>
bool terminated(std::string_view s, char (&buf)[N]) {
  if (s.size() >= N) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  return true;
}

}  // namespace

std::optional<Ipv4Addr> parse_ipv4(std::string_view s) {
  char buf[INET_ADDRSTRLEN];
  in_addr a{};
  if (!terminated(s, buf) || inet_pton(AF_INET, buf, &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

std::optional<Ipv6Addr> parse_ipv6(std::string_view s) {
  char buf[INET6_ADDRSTRLEN];
  Ipv6Addr out;
  if (!terminated(s, buf) || inet_pton(AF_INET6, buf, out.b.data()) != 1) return std::nullopt;
  return out;
}

namespace {

// Splits "addr/len"; returns false on a malformed length.
bool split_prefix(std::string_view s, std::string_view& addr, int& len, int max_len) {
  auto slash = s.find('/');
  addr = s.substr(0, slash);
  if (slash == std::string_view::npos) {
    len = max_len;
    return true;
  }
  auto digits = s.substr(slash + 1);
  if (digits.empty() || digits.size() > 3) return false;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), len);
  return ec == std::errc() && ptr == digits.data() + digits.size() && len >= 0 &&
         len <= max_len;
}

}  // namespace

std::optional<Ipv4Prefix> parse_ipv4_prefix(std::string_view s) {
  std::string_view a;
  int len = 0;
  if (!split_prefix(s, a, len, 32)) return std::nullopt;
  auto addr = parse_ipv4(a);
  if (!addr) return std::nullopt;
  return Ipv4Prefix{*addr, static_cast<uint8_t>(len)};
}

std::optional<Ipv6Prefix> parse_ipv6_prefix(std::string_view s) {
  std::string_view a;
  int len = 0;
  if (!split_prefix(s, a, len, 128)) return std::nullopt;
  auto addr = parse_ipv6(a);
  if (!addr) return std::nullopt;
  return Ipv6Prefix{*addr, static_cast<uint8_t>(len)};
}

std::string to_string(Ipv4Addr a) {
  in_addr n{htonl(a)};
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &n, buf, sizeof buf);
  return buf;
}

std::string to_string(const Ipv6Addr& a) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, a.b.data(), buf, sizeof buf);
  return buf;
}

std::string to_string(const Ipv4Prefix& p) {
  return to_string(p.addr) + "/" + std::to_string(p.len);
}

std::string to_string(const Ipv6Prefix& p) {
  return to_string(p.addr) + "/" + std::to_string(p.len);
}

}  // namespace xlat
