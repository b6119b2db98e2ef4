// A worker: one TUN queue, one translator, one thread (pinned to a core by the daemon).
// It reads a batch, translates each packet, hands the results back to the queue (which
// does whatever the device needs around them, io/packet_queue.hpp) and repeats; the
// configuration is swapped between batches when the main thread publishes a new one
// (SIGHUP), and counters are published for `stats` and SIGUSR1 without locks.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "runtime/log_flags.hpp"
#include "runtime/counters.hpp"
#include "io/packet_queue.hpp"
#include "xlat/translator.hpp"

namespace xlatd {

// What workers translate with; immutable once published.
struct SharedConfig {
  xlat::TranslatorConfig translator;
  LogFlags log;
};

// Shared by the main thread and the workers.
class Runtime {
 public:
  std::atomic<bool> stop{false};
  xlat::DynamicPool* pool = nullptr;

  // The replaced configuration is kept here, not left to the last worker that drops it:
  // freeing 10^5 maps' tables is the main thread's work (reap), never a worker's.
  void publish(std::shared_ptr<const SharedConfig> c) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (current_) retired_.push_back(std::move(current_));
    current_ = std::move(c);
    generation_.fetch_add(1, std::memory_order_release);
  }
  // Main thread: frees the replaced configurations no worker holds any more (workers
  // only ever take current_, so one held by nobody else stays so). Returns how many
  // are still held.
  size_t reap() {
    std::vector<std::shared_ptr<const SharedConfig>> done;
    size_t held = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto& r : retired_) (r.use_count() == 1 ? done : retired_kept_).push_back(std::move(r));
      retired_.swap(retired_kept_);
      retired_kept_.clear();
      held = retired_.size();
    }
    return held;  // `done` is freed here, outside the lock
  }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  std::shared_ptr<const SharedConfig> current() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const SharedConfig> current_;
  std::vector<std::shared_ptr<const SharedConfig>> retired_, retired_kept_;
  std::atomic<uint64_t> generation_{0};
};

struct WorkerStats {
  xlat::TranslatorCounters xlat;
  QueueStats io;  // the queue's, offload work included
};

// Every counter of a WorkerStats but the drops, in the order of kCounters (counters.hpp),
// with its description. Publishing, reading back, summing and every view (table, JSON,
// Prometheus, the SIGUSR1 line) walk this one list (the drops, one per reason, follow
// it), so a counter added here and to kCounters is added everywhere at once.
template <typename Stats, typename F>  // Stats: WorkerStats or const WorkerStats
void for_each_counter(Stats& s, F&& f) {
  size_t i = 0;
  auto one = [&](auto& field) { f(kCounters[i++], field); };
  one(s.io.rx_packets);
  one(s.io.tx_packets);
  one(s.io.tx_errors);
  one(s.io.rx_errors);
  one(s.xlat.translated_4to6);
  one(s.xlat.translated_6to4);
  one(s.xlat.fragments_made);
  one(s.xlat.icmp_errors_sent);
  one(s.xlat.icmp_errors_rate_limited);
  one(s.xlat.echo_replies_sent);
  one(s.io.rounds);
  one(s.io.syscalls);
  one(s.io.gso_segmented);
}

// total += s, every counter and every drop reason.
inline void add_stats(WorkerStats& total, const WorkerStats& s) {
  std::array<uint64_t, kScalarCounters> v{};
  size_t k = 0;
  for_each_counter(s, [&](const CounterInfo&, uint64_t x) { v[k++] = x; });
  k = 0;
  for_each_counter(total, [&](const CounterInfo&, uint64_t& x) { x += v[k++]; });
  for (size_t i = 0; i < s.xlat.drops.size(); ++i) total.xlat.drops[i] += s.xlat.drops[i];
}

class Worker {
 public:
  Worker(unsigned id, PacketQueue& queue, Runtime& rt);

  // Rounds until rt.stop is set.
  void run();
  // One round: returns the number of packets read.
  unsigned run_once(int timeout_ms);
  // A recent copy of the counters; safe from any thread. A packet shows in it at most
  // about kStatsLagMs after the round that handled it.
  WorkerStats stats() const;

  // Counters are published every 16th busy round, once this long has passed since the
  // last publication, and in every idle round; a worker holding unpublished counts waits
  // no longer than this for packets. So `stats` read right after some traffic sees it
  // (a test, an operator comparing before and after), at the cost of at most one
  // wake-up per burst.
  static constexpr int kStatsLagMs = 10;

 private:
  void adopt_config();
  void publish_stats(int64_t now_ms);
  void log_outcome(const xlat::Packet& in, const xlat::Output& out);

  unsigned id_;
  PacketQueue& queue_;
  Runtime& rt_;
  uint64_t generation_ = ~uint64_t{0};
  std::shared_ptr<const SharedConfig> cfg_;
  std::unique_ptr<xlat::Translator> translator_;
  WorkerStats carried_;  // translator counters of the configurations a reload replaced
  std::vector<uint8_t> scratch_;
  xlat::Output out_;
  uint64_t rounds_ = 0;
  bool unpublished_ = false;   // counts changed since the last publish_stats
  int64_t published_ms_ = 0;   // CLOCK_MONOTONIC_COARSE of the last publish_stats
  std::vector<uint8_t> original_;  // the packet before translation, for `log`
  int64_t log_window_ = 0;  // second of the current log budget
  unsigned log_budget_ = 0;

  static constexpr size_t kPublished = kScalarCounters + xlat::kDropReasonCount;
  std::array<std::atomic<uint64_t>, kPublished> published_{};
};

}  // namespace xlatd
