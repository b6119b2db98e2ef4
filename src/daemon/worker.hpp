// A worker: one TUN queue, one translator, one thread (pinned to a core by the daemon).
// It reads a batch, translates each packet, queues the results and repeats; the
// configuration is swapped between batches when the main thread publishes a new one
// (SIGHUP), and counters are published for `stats` and SIGUSR1 without locks.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "config/config.hpp"
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

  void publish(std::shared_ptr<const SharedConfig> c) {
    std::lock_guard<std::mutex> lock(mutex_);
    current_ = std::move(c);
    generation_.fetch_add(1, std::memory_order_release);
  }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  std::shared_ptr<const SharedConfig> current() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return current_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const SharedConfig> current_;
  std::atomic<uint64_t> generation_{0};
};

struct WorkerStats {
  xlat::TranslatorCounters xlat;
  QueueStats io;
};

class Worker {
 public:
  Worker(unsigned id, PacketQueue& queue, Runtime& rt);

  // Rounds until rt.stop is set.
  void run();
  // One round: returns the number of packets read.
  unsigned run_once(int timeout_ms);
  // A recent copy of the counters; safe from any thread.
  WorkerStats stats() const;

 private:
  void adopt_config();
  void publish_stats();
  void log_outcome(const xlat::Packet& in, const xlat::Output& out);

  unsigned id_;
  PacketQueue& queue_;
  Runtime& rt_;
  uint64_t generation_ = ~uint64_t{0};
  std::shared_ptr<const SharedConfig> cfg_;
  std::unique_ptr<xlat::Translator> translator_;
  xlat::TranslatorCounters carried_;  // from translators a reload replaced
  std::vector<uint8_t> scratch_;
  xlat::Output out_;
  uint64_t rounds_ = 0;
  uint64_t gso_drops_ = 0;  // super-packets that could not be carried across
  std::vector<uint8_t> original_;  // the packet before translation, for `log`
  int64_t log_window_ = 0;  // second of the current log budget
  unsigned log_budget_ = 0;

  static constexpr size_t kPublished = 6 + xlat::kDropReasonCount + 6;
  std::array<std::atomic<uint64_t>, kPublished> published_{};
};

}  // namespace xlatd
