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
#include "xlat/address_map.hpp"
#include "xlat/drop_reason.hpp"
#include "xlat/translator_config.hpp"

namespace xlat {

// IPv6 header + Fragment Header − the smallest IPv4 header.
inline constexpr uint32_t kHeadroom4to6 = 40 + 8 - 20;
// Enough for a 64 KiB IPv4 packet cut into 1280-byte IPv6 fragments.
inline constexpr uint32_t kScratchSize = 72 * 1024;
// 65535 / 1232 rounds up to 54 fragments.
inline constexpr unsigned kMaxOutputs = 64;

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
  // TUN offloads (virtio-net header), set by the IO layer:
  // the TCP/UDP checksum field holds the pseudo-header sum, to be completed by the
  // kernel (VIRTIO_NET_HDR_F_NEEDS_CSUM) ...
  bool csum_partial = false;
  // ... and a TCP super-packet the kernel segments at this size (0: a normal packet).
  // MTU checks are the IO layer's (it adjusts gso_size); the core never fragments it.
  uint16_t gso_size = 0;
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
  uint64_t icmp_errors_rate_limited = 0;  // errors not sent: over the rate limit
  std::array<uint64_t, kDropReasonCount> drops{};
};

class Translator {
 public:
  explicit Translator(const TranslatorConfig& cfg, DynamicPool* pool = nullptr,
                      uint16_t ipv4_id_seed = 0)
      : cfg_(cfg), pool_(pool), map_(cfg, pool), next_ipv4_id_(ipv4_id_seed) {}

  // RFC 7915 §4: an IPv4 packet in, IPv6 out.
  void translate_4to6(Packet in, Output& out);
  // RFC 7915 §5: an IPv6 packet in, IPv4 out.
  void translate_6to4(Packet in, Output& out);
  // Dispatches on the IP version nibble (what a TUN reader does).
  void translate(Packet in, Output& out);

  const TranslatorCounters& counters() const { return counters_; }

  // The time the ICMP error rate limit refills against (a monotonic clock in ms). The
  // IO layer sets it once per batch; the core itself reads no clock.
  void set_clock(uint64_t now_ms) { now_ms_ = now_ms; }
  // Takes a token for one generated ICMP error; false when over the limit.
  bool allow_icmp_error();
  const TranslatorConfig& config() const { return cfg_; }

 private:
  friend struct Translate4to6;
  friend struct Translate6to4;

  const TranslatorConfig& cfg_;
  DynamicPool* pool_;
  AddressMapper map_;
  uint16_t next_ipv4_id_;
  TranslatorCounters counters_;
  uint64_t now_ms_ = 0;
  uint64_t bucket_ms_ = 0;       // clock at the last refill
  uint64_t tokens_milli_ = ~uint64_t{0};  // tokens x 1000; starts full
};

}  // namespace xlat
