// The Translator: one per worker. It owns the per-worker state (counters, the IPv4
// Identification generator, the ICMP error rate limit) and hands each packet to the walk
// of its direction (translate_4to6.cpp, translate_6to4.cpp).
#include "xlat/translator.hpp"

#include <algorithm>

#include "translate_4to6.hpp"
#include "translate_6to4.hpp"

namespace xlat {

void Translator::translate_4to6(Packet in, Output& out) {
  out.count = 0;
  out.reason = DropReason::None;
  Translate4to6(*this, out).run(in);
}

void Translator::translate_6to4(Packet in, Output& out) {
  out.count = 0;
  out.reason = DropReason::None;
  Translate6to4(*this, out).run(in);
}

// A TUN carries both families; the version nibble says which this is (RFC 791 §3.1,
// RFC 8200 §3). Anything but 6 goes to the IPv4 walk, which drops a bad version by name.
void Translator::translate(Packet in, Output& out) {
  if (in.len >= 1 && (in.data[0] >> 4) == 6) return translate_6to4(in, out);
  translate_4to6(in, out);
}

// RFC 4443 §2.4(f), RFC 1812 §4.3.2.8: the ICMP errors the translator generates (RFC 7915
// §4.4, §5.4) are rate-limited: a token bucket of icmp_error_burst tokens refilled at
// icmp_errors_per_second (0: no limit), on the clock the IO layer sets per batch.
bool Translator::allow_icmp_error() {
  const uint64_t rate = cfg_.icmp_errors_per_second;
  if (rate == 0) return true;
  const uint64_t cap = uint64_t{std::max<uint32_t>(cfg_.icmp_error_burst, 1)} * 1000;
  if (tokens_milli_ > cap) {
    tokens_milli_ = cap;
    bucket_ms_ = now_ms_;
  }
  if (now_ms_ > bucket_ms_) {
    tokens_milli_ = std::min(cap, tokens_milli_ + (now_ms_ - bucket_ms_) * rate);
    bucket_ms_ = now_ms_;
  }
  if (tokens_milli_ < 1000) {
    counters_.icmp_errors_rate_limited++;
    return false;
  }
  tokens_milli_ -= 1000;
  return true;
}

}  // namespace xlat
