// When the CLAT asks DNS64 (RFC 7050) again: the whole timing of discovery, over a clock
// the caller passes in (seconds), so that it can be tested without waiting.
// - an answer holds for its TTL (RFC 7050 §5: ask again when it runs out), at least a
//   minute and at most a day; an answer without a NAT64 prefix is asked again in 30 s;
// - a query unanswered for 2 s, or one that could not be sent, is retried after 2, 4,
//   8 ... up to 60 s;
// - a new uplink waits a second first (RFC 8781 is preferred to RFC 7050, RFC 9872 §4:
//   routers get MAX_RA_DELAY_TIME, 0.5 s, to answer the solicitation, RFC 4861 §6.2.6);
// - SIGHUP asks at once.
#pragma once

#include <algorithm>
#include <cstdint>

namespace xlatd::clat {

class Dns64Schedule {
 public:
  static constexpr int64_t kAnswerWait = 2;
  static constexpr int64_t kFirstBackoff = 2, kMaxBackoff = 60;
  static constexpr int64_t kMinTtl = 60, kMaxTtl = 86400, kNoPrefixRetry = 30;
  static constexpr int64_t kUplinkSettle = 1;

  bool due(int64_t now) const { return now >= next_; }
  int64_t next() const { return next_; }

  void sent(int64_t now) { sent_ = now; }
  // The query in flight has waited long enough.
  bool gave_up(int64_t now) const { return now - sent_ >= kAnswerWait; }

  // No answer, or the query could not go out: returns the delay before the next one.
  int64_t failed(int64_t now) {
    const int64_t delay = backoff_;
    next_ = now + delay;
    backoff_ = std::min(backoff_ * 2, kMaxBackoff);
    return delay;
  }

  void answered(int64_t now, int64_t ttl, bool found_prefix) {
    backoff_ = kFirstBackoff;
    next_ = now + (found_prefix ? std::clamp(ttl, kMinTtl, kMaxTtl) : kNoPrefixRetry);
  }

  void new_uplink(int64_t now) {
    backoff_ = kFirstBackoff;
    next_ = now + kUplinkSettle;
  }

  void ask_now() { next_ = 0; }

 private:
  int64_t next_ = 0, sent_ = 0, backoff_ = kFirstBackoff;
};

}  // namespace xlatd::clat
