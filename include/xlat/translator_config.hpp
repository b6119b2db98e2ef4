// The translator's configuration: one immutable struct shared by every worker, and the
// dynamic pool interface the daemon implements and the port-aware mapping interface.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "xlat/addr.hpp"
#include "xlat/eam.hpp"
#include "xlat/endpoint.hpp"

namespace xlat {

enum class UdpZeroChecksum : uint8_t {
  Drop,       // RFC 7915 4.5: drop (and log), silently; TAYGA's default
  Reject,     // drop and answer ICMPv4 3/13 (administratively prohibited), as Jool does
  Forward,    // forward with checksum 0 (illegal in IPv6, for broken peers)
  Calculate,  // compute it (only possible when the packet is not fragmented)
};

// Dynamic IPv6 → IPv4 host mappings (TAYGA's dynamic-pool), implemented by the daemon.
// Implementations must be safe to call from every worker at once.
class DynamicPool {
 public:
  enum class Result : uint8_t { Found, NotFound, Exhausted };

  virtual ~DynamicPool() = default;
  // True when `a` is inside the pool's range: such addresses never fall through to the
  // RFC 6052 prefix.
  virtual bool covers(Ipv4Addr a) const = 0;
  // The IPv6 host that holds `a` actively; refreshes its last use.
  virtual bool lookup4(Ipv4Addr a, Ipv6Addr& out) = 0;
  // The IPv4 address of `a`; with `assign`, reserves one when it has none.
  virtual Result lookup6(const Ipv6Addr& a, Ipv4Addr& out, bool assign) = 0;
};

// A mapping that reads ports as well as addresses (endpoint.hpp): MAP-T (RFC 7599)
// shares one IPv4 address among IPv6 sites by port set. It is asked before the static
// maps; an endpoint it does not cover goes on to them, one it refuses is unmapped.
class PortMapping {
 public:
  enum class Result : uint8_t { NotCovered, Mapped, Refused };

  virtual ~PortMapping() = default;
  virtual Result to6(const Endpoint4& e, Ipv6Addr& out) const = 0;
  virtual Result to4(const Endpoint6& e, Ipv4Addr& out) const = 0;
};

struct TranslatorConfig {
  // RFC 6052 prefix ("pool6"); absent means EAM / static maps only.
  std::optional<Ipv6Prefix> prefix;
  // RFC 7757 EAM and TAYGA's single-host `map` entries.
  EamTable eam;
  // A port-aware mapping, when one is configured (none of TAYGA's or clatd's settings
  // make one).
  std::shared_ptr<const PortMapping> port_mapping;
  // The translator's own addresses: sources of the errors it generates; echo requests
  // to them are answered.
  Ipv4Addr own_v4 = 0;
  Ipv6Addr own_v6;
  // RFC 6791: source for translated ICMP errors whose source has no mapping. When
  // absent the translator's own address is used (TAYGA's habit).
  std::optional<Ipv4Addr> rfc6791_v4;
  std::optional<Ipv6Addr> rfc6791_v6;
  // RFC 7757 §4.2 hairpinning: an IPv6 node talking to another through the RFC 6052
  // prefix (the destination embeds an EAM or dynamic-pool address) is translated back to
  // IPv6 inside the translator. Off by default, as in TAYGA: the IPv4 result is written
  // to the TUN and routing decides, and a prefix address that embeds a mapped IPv4
  // address is refused (TAYGA's docs/rfc.md, "Hairpin"). xlatd's `hairpin yes` turns it
  // on for EAM deployments that want it.
  bool hairpinning = false;
  // RFC 6052 §3.1: 64:ff9b::/96 never carries a non-global IPv4 address.
  bool wkpf_strict = true;
  UdpZeroChecksum udp_zero_checksum = UdpZeroChecksum::Drop;
  // Next-hop MTUs on each side (the TUN MTU for a TUN translator).
  uint32_t mtu4 = 1500;
  uint32_t mtu6 = 1500;
  // RFC 7915 4.1: DF=0 IPv4 packets are fragmented to fit this (TAYGA's offlink-mtu).
  uint32_t lowest_ipv6_mtu = 1280;
  // RFC 7915 4.4 / 5.4: generate ICMP errors for packets that cannot be translated.
  bool send_icmp_errors = true;
  // ... at most this many per second per worker (a token bucket of `icmp_error_burst`),
  // so the translator cannot be turned into an amplifier (RFC 7915 4.4: "rate-limit").
  // 0 = no limit. Linux's own default is 1000/s.
  uint32_t icmp_errors_per_second = 1000;
  uint32_t icmp_error_burst = 100;
};

}  // namespace xlat
