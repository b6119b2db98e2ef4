// The RFC 7915 stateless IP/ICMP translator: IPv4 ⇄ IPv6, one packet per call.
//
// Pure: no IO, no allocation, no exceptions, no locks, no global mutable state. Each
// worker owns one Translator (its counters and IPv4 Identification generator); all
// workers share one immutable TranslatorConfig and, optionally, a DynamicPool.
//
// Buffers: the input packet sits in a caller buffer with `headroom` writable bytes in
// front of it. The common case (one output packet) is rewritten in place: 4→6 grows the
// header into the headroom (kHeadroom4to6 bytes are enough), 6→4 shrinks it. ICMP errors
// and fragments are built in the caller's scratch buffer. Output slices point into
// either; they stay valid until the next call.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "xlat/addr.hpp"
#include "xlat/drop_reason.hpp"
#include "xlat/eam.hpp"

namespace xlat {

// IPv6 header + Fragment Header − the smallest IPv4 header.
inline constexpr uint32_t kHeadroom4to6 = 40 + 8 - 20;
// Enough for a 64 KiB IPv4 packet cut into 1280-byte IPv6 fragments.
inline constexpr uint32_t kScratchSize = 72 * 1024;
// 65535 / 1232 rounds up to 54 fragments.
inline constexpr unsigned kMaxOutputs = 64;

enum class UdpZeroChecksum : uint8_t {
  Drop,       // RFC 7915 4.5: drop (and log); TAYGA's default
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

struct TranslatorConfig {
  // RFC 6052 prefix ("pool6"); absent means EAM / static maps only.
  std::optional<Ipv6Prefix> prefix;
  // RFC 7757 EAM and TAYGA's single-host `map` entries.
  EamTable eam;
  // The translator's own addresses: sources of the errors it generates; echo requests
  // to them are answered.
  Ipv4Addr own_v4 = 0;
  Ipv6Addr own_v6;
  // RFC 6791: source for translated ICMP errors whose source has no mapping. When
  // absent the translator's own address is used (TAYGA's habit).
  std::optional<Ipv4Addr> rfc6791_v4;
  std::optional<Ipv6Addr> rfc6791_v6;
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
};

enum class Verdict : uint8_t {
  Forward,  // translated: send pkts to the other side
  Reply,    // not translated: send pkts (an ICMP error or echo reply) back to the source
  Drop,     // nothing to send
};

struct Slice {
  uint8_t* data = nullptr;
  uint32_t len = 0;
};

struct Packet {
  uint8_t* data;      // first byte of the IP header
  uint32_t len;       // bytes received
  uint32_t headroom;  // writable bytes before data
};

struct Output {
  explicit Output(std::span<uint8_t> scratch_buffer) : scratch(scratch_buffer) {}

  std::span<uint8_t> scratch;  // caller-owned; kScratchSize is always enough
  Verdict verdict = Verdict::Drop;
  DropReason reason = DropReason::None;  // why, for Drop and for an error Reply
  uint32_t count = 0;
  std::array<Slice, kMaxOutputs> pkts{};
};

struct TranslatorCounters {
  uint64_t translated_4to6 = 0;
  uint64_t translated_6to4 = 0;
  uint64_t fragments_made = 0;       // IPv6 fragments produced from oversized IPv4
  uint64_t icmp_errors_sent = 0;     // errors the translator generated itself
  uint64_t echo_replies_sent = 0;    // answers to pings of the translator's own address
  std::array<uint64_t, kDropReasonCount> drops{};
};

class Translator {
 public:
  explicit Translator(const TranslatorConfig& cfg, DynamicPool* pool = nullptr,
                      uint16_t ipv4_id_seed = 0)
      : cfg_(cfg), pool_(pool), next_ipv4_id_(ipv4_id_seed) {}

  // RFC 7915 §4: an IPv4 packet in, IPv6 out.
  void translate_4to6(Packet in, Output& out);
  // RFC 7915 §5: an IPv6 packet in, IPv4 out.
  void translate_6to4(Packet in, Output& out);
  // Dispatches on the IP version nibble (what a TUN reader does).
  void translate(Packet in, Output& out);

  const TranslatorCounters& counters() const { return counters_; }
  const TranslatorConfig& config() const { return cfg_; }

 private:
  friend struct Translate4to6;
  friend struct Translate6to4;

  const TranslatorConfig& cfg_;
  DynamicPool* pool_;
  uint16_t next_ipv4_id_;
  TranslatorCounters counters_;
};

}  // namespace xlat
