#include "runtime/worker.hpp"

#include <algorithm>
#include <ctime>

#include "runtime/log.hpp"
#include "xlat/packet_summary.hpp"

namespace xlatd {

namespace {

int64_t coarse_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return ts.tv_sec;
}

}  // namespace

Worker::Worker(unsigned id, PacketQueue& queue, Runtime& rt)
    : id_(id), queue_(queue), rt_(rt), scratch_(xlat::kScratchSize), out_(scratch_) {
  adopt_config();
}

void Worker::adopt_config() {
  uint64_t gen = rt_.generation();
  if (gen == generation_) return;
  generation_ = gen;
  if (translator_) add_stats(carried_, WorkerStats{translator_->counters(), {}});
  cfg_ = rt_.current();
  // Distinct IPv4 Identification sequences per worker.
  translator_ = std::make_unique<xlat::Translator>(cfg_->translator, rt_.pool,
                                                   static_cast<uint16_t>(id_ * 0x3d1b + 1));
  queue_.set_mtu(cfg_->translator.mtu4);  // the TUN's MTU (both sides)
}

void Worker::log_outcome(const xlat::Packet& in, const xlat::Output& out) {
  const LogFlags& f = cfg_->log;
  bool dropped = out.verdict == xlat::Verdict::Drop;
  bool rejected = out.verdict == xlat::Verdict::Reply && out.reason != xlat::DropReason::None;
  bool self = out.reason == xlat::DropReason::ToSelf ||
              (out.verdict == xlat::Verdict::Reply && out.reason == xlat::DropReason::None);
  if (!((dropped && f.drop) || (rejected && f.reject) || (self && f.self))) return;
  // At most 20 lines a second per worker: logging must not become the bottleneck.
  int64_t now = coarse_seconds();
  if (now != log_window_) {
    log_window_ = now;
    log_budget_ = 20;
  }
  if (log_budget_ == 0) return;
  --log_budget_;
  std::string what = dropped ? "dropped" : rejected ? "rejected" : "to self";
  log::info(what + " (" + std::string(xlat::drop_reason_name(out.reason)) + "): " +
            xlat::summarize_packet(in.data, in.len));
}

unsigned Worker::run_once(int timeout_ms) {
  auto pkts = queue_.receive(unpublished_ ? std::min(timeout_ms, kStatsLagMs) : timeout_ms);
  // After the wait, not before it: a configuration published while this worker slept
  // (a CLAT's new prefix, a SIGHUP) applies to the very packets that woke it.
  if (rt_.generation() != generation_) adopt_config();
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  const int64_t now_ms = static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
  translator_->set_clock(static_cast<uint64_t>(now_ms));
  const bool logging = cfg_->log.drop || cfg_->log.reject || cfg_->log.self;
  for (size_t i = 0; i < pkts.size(); ++i) {
    // Logging needs the packet as it came in; translation may rewrite it. One buffer,
    // reused: no allocation per packet once it has grown.
    if (logging) original_.assign(pkts[i].data, pkts[i].data + pkts[i].len);
    translator_->translate(pkts[i], out_);
    queue_.send(i, out_);
    if (logging) {
      xlat::Packet orig{original_.data(), static_cast<uint32_t>(original_.size()), 0};
      log_outcome(orig, out_);
    }
  }
  ++rounds_;
  if (!pkts.empty()) unpublished_ = true;
  if (pkts.empty() || rounds_ % 16 == 0 || now_ms - published_ms_ >= kStatsLagMs) publish_stats(now_ms);
  return static_cast<unsigned>(pkts.size());
}

void Worker::run() {
  while (!rt_.stop.load(std::memory_order_relaxed)) run_once(200);
  queue_.flush();
  publish_stats(published_ms_);
}

void Worker::publish_stats(int64_t now_ms) {
  unpublished_ = false;
  published_ms_ = now_ms;
  WorkerStats now{translator_->counters(), queue_.stats()};
  add_stats(now, carried_);
  // The queue's offload work drops what cannot cross as one unit; it is counted with
  // the translator's drops, under its own reason.
  now.xlat.drops[static_cast<size_t>(xlat::DropReason::GsoUntranslatable)] += now.io.gso_untranslatable;
  size_t k = 0;
  auto put = [&](uint64_t v) { published_[k++].store(v, std::memory_order_relaxed); };
  for_each_counter(now, [&](const CounterInfo&, uint64_t v) { put(v); });
  for (uint64_t d : now.xlat.drops) put(d);
}

WorkerStats Worker::stats() const {
  WorkerStats s;
  size_t k = 0;
  auto get = [&](uint64_t& v) { v = published_[k++].load(std::memory_order_relaxed); };
  for_each_counter(s, [&](const CounterInfo&, uint64_t& v) { get(v); });
  for (uint64_t& d : s.xlat.drops) get(d);
  return s;
}

}  // namespace xlatd
