// Shared body of the libFuzzer targets: translate arbitrary bytes in one direction under
// a configuration picked by the first input byte (prefix or EAM only, a dynamic pool,
// each UDP zero-checksum mode, small and large MTUs), then check what came out.
//
// Invariants checked (a violation traps, which libFuzzer reports as a crash):
// - every output slice lies inside the packet buffer or the scratch buffer;
// - a Forward or Reply output is a well-formed IP packet: its length field matches the
//   slice, an IPv4 header checksum is right, an IPv6 packet is 40 bytes or more;
// - a Drop has a reason and no output; counters add up.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <vector>

#include "fake_pool.hpp"
#include "xlat/translator.hpp"

namespace fuzz {

// A deterministic dynamic pool: 192.168.255.0/28, addresses handed out in order.
class Pool : public testpkt::FakePool {
 public:
  Pool() : FakePool(*xlat::parse_ipv4_prefix("192.168.255.0/28"), 14) {}
};

inline std::vector<xlat::TranslatorConfig> make_configs() {
  using namespace xlat;
  std::vector<TranslatorConfig> out;
  for (int variant = 0; variant < 8; ++variant) {
    TranslatorConfig c;
    if (variant != 3) {
      c.prefix = parse_ipv6_prefix(variant == 4 ? "64:ff9b::/96" : "2001:db8:100::/40");
    }
    c.eam = EamTable({{*parse_ipv4_prefix("1.0.0.0/24"), *parse_ipv6_prefix("2001:db8:3::/120")},
                      {*parse_ipv4_prefix("10.0.0.0/24"), *parse_ipv6_prefix("2001:db8:2::/120")},
                      {*parse_ipv4_prefix("198.51.100.0/24"), *parse_ipv6_prefix("2001:db8:1c6:3364::/72")}});
    c.own_v4 = *parse_ipv4("198.51.100.1");
    c.own_v6 = *parse_ipv6("2001:db8:1c0:2:1::");
    if (variant & 1) c.rfc6791_v4 = parse_ipv4("203.0.113.8");
    if (variant & 2) c.rfc6791_v6 = parse_ipv6("2001:db8:ffff::1");
    c.udp_zero_checksum = static_cast<UdpZeroChecksum>(variant % 3);
    c.mtu4 = variant >= 6 ? 9000 : 1500;
    c.mtu6 = variant == 5 ? 1280 : (variant >= 6 ? 9000 : 1500);
    c.lowest_ipv6_mtu = variant == 7 ? 1500 : 1280;
    c.send_icmp_errors = variant != 2;
    out.push_back(std::move(c));
  }
  return out;
}

inline void check(bool ok) {
  if (!ok) __builtin_trap();
}

inline uint16_t fold(const uint8_t* p, size_t n) {
  uint32_t s = 0;
  for (size_t i = 0; i + 1 < n; i += 2) s += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (n & 1) s += static_cast<uint32_t>(p[n - 1] << 8);
  while (s > 0xffff) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint16_t>(s);
}

inline void check_output(const xlat::Slice& s) {
  check(s.len >= 20);
  uint8_t version = s.data[0] >> 4;
  if (version == 4) {
    unsigned ihl = (s.data[0] & 0xf) * 4u;
    check(ihl >= 20 && ihl <= s.len);
    check(static_cast<uint32_t>(s.data[2] << 8 | s.data[3]) == s.len);
    check(fold(s.data, ihl) == 0xffff);
  } else {
    check(version == 6);
    check(s.len >= 40);
    check(static_cast<uint32_t>(s.data[4] << 8 | s.data[5]) + 40 == s.len);
  }
}

// Random bytes almost never carry a valid IPv4 header checksum or ICMP checksum, and the
// translator rightly drops those early; to reach the code behind the checks, the harness
// repairs them (unless the selector byte's top bit asks for the input as it is).
inline void store(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

inline void repair_checksums(uint8_t* p, size_t n) {
  if (n >= 20 && (p[0] >> 4) == 4) {
    size_t ihl = (p[0] & 0xf) * 4u;
    if (ihl < 20 || ihl > n) return;
    store(p + 10, 0);
    store(p + 10, static_cast<uint16_t>(~fold(p, ihl)));
    size_t total = static_cast<size_t>(p[2] << 8 | p[3]);
    bool unfragmented = (p[6] & 0x3f) == 0 && p[7] == 0;
    if (p[9] == 1 && unfragmented && total <= n && total >= ihl + 8) {
      store(p + ihl + 2, 0);
      store(p + ihl + 2, static_cast<uint16_t>(~fold(p + ihl, total - ihl)));
    }
  } else if (n >= 48 && (p[0] >> 4) == 6 && p[6] == 58) {
    size_t len = static_cast<size_t>(p[4] << 8 | p[5]);
    if (len < 8 || 40 + len > n) return;
    store(p + 42, 0);
    uint32_t sum = fold(p + 8, 32);
    sum += 58 + static_cast<uint32_t>(len);
    sum += fold(p + 40, len);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
    store(p + 42, static_cast<uint16_t>(~sum));
  }
}

template <bool kFourToSix>
int run_one(const uint8_t* data, size_t size) {
  static const std::vector<xlat::TranslatorConfig> configs = make_configs();
  static std::vector<uint8_t> scratch(xlat::kScratchSize);
  static std::vector<uint8_t> buffer(128 + 65536 + 128);
  if (size < 1 || size > 65536 + 1) return 0;
  const auto& cfg = configs[data[0] % configs.size()];
  const bool repair = (data[0] & 0x80) == 0;
  ++data;
  --size;
  // A fresh pool each run keeps runs reproducible.
  Pool pool;
  xlat::Translator t(cfg, &pool, 7);
  xlat::Output out(scratch);
  uint32_t headroom = 64;
  std::memcpy(buffer.data() + headroom, data, size);
  if (repair) repair_checksums(buffer.data() + headroom, size);
  xlat::Packet in{buffer.data() + headroom, static_cast<uint32_t>(size), headroom};
  if (kFourToSix) {
    t.translate_4to6(in, out);
  } else {
    t.translate_6to4(in, out);
  }
  if (out.verdict == xlat::Verdict::Drop) {
    check(out.count == 0);
    check(out.reason != xlat::DropReason::None);
  } else {
    check(out.count >= 1 && out.count <= xlat::kMaxOutputs);
  }
  for (uint32_t i = 0; i < out.count; ++i) {
    const auto& s = out.pkts[i];
    bool in_buf = s.data >= buffer.data() && s.data + s.len <= buffer.data() + buffer.size();
    bool in_scratch = s.data >= scratch.data() && s.data + s.len <= scratch.data() + scratch.size();
    check(in_buf || in_scratch);
    check_output(s);
  }
  uint64_t drops = 0;
  for (uint64_t d : t.counters().drops) drops += d;
  check(drops == (out.verdict == xlat::Verdict::Forward ? 0u : (out.reason == xlat::DropReason::None ? 0u : 1u)));
  return 0;
}

}  // namespace fuzz
