// IPv4 and IPv6 address values and prefixes.
//
// IPv4 addresses are plain host-order integers; IPv6 addresses are 16 bytes in network
// order. Parsing and formatting are for configuration and logs, never the packet path.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xlat {

using Ipv4Addr = uint32_t;

struct Ipv6Addr {
  std::array<uint8_t, 16> b{};

  friend bool operator==(const Ipv6Addr&, const Ipv6Addr&) = default;
  friend auto operator<=>(const Ipv6Addr&, const Ipv6Addr&) = default;
};

struct Ipv4Prefix {
  Ipv4Addr addr = 0;
  uint8_t len = 0;

  bool contains(Ipv4Addr a) const;
  // True when the two share an address (one contains the other).
  bool overlaps(const Ipv4Prefix& o) const;
  friend bool operator==(const Ipv4Prefix&, const Ipv4Prefix&) = default;
};

struct Ipv6Prefix {
  Ipv6Addr addr;
  uint8_t len = 0;

  bool contains(const Ipv6Addr& a) const;
  bool overlaps(const Ipv6Prefix& o) const;
  friend bool operator==(const Ipv6Prefix&, const Ipv6Prefix&) = default;
};

// An address or prefix of either family (an interface address, a route).
struct IpPrefix {
  bool v6 = false;
  Ipv4Prefix v4;
  Ipv6Prefix v6addr;
};

inline Ipv4Addr ipv4_mask(uint8_t len) {
  return len == 0 ? 0 : ~Ipv4Addr{0} << (32 - len);
}

// True when the first `len` bits of a and b are equal.
bool ipv6_prefix_equal(const Ipv6Addr& a, const Ipv6Addr& b, unsigned len);

// Zeroes every bit of `a` after the first `len`.
Ipv6Addr ipv6_masked(const Ipv6Addr& a, unsigned len);

std::optional<Ipv4Addr> parse_ipv4(std::string_view s);
std::optional<Ipv6Addr> parse_ipv6(std::string_view s);
// "a.b.c.d/n"; without "/n" the length is 32.
std::optional<Ipv4Prefix> parse_ipv4_prefix(std::string_view s);
// "x::y/n"; without "/n" the length is 128.
std::optional<Ipv6Prefix> parse_ipv6_prefix(std::string_view s);

std::string to_string(Ipv4Addr a);
std::string to_string(const Ipv6Addr& a);
std::string to_string(const Ipv4Prefix& p);
std::string to_string(const Ipv6Prefix& p);

}  // namespace xlat
