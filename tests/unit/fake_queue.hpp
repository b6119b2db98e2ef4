// A PacketQueue in memory: tests push packets in and read what the worker sent.
#pragma once

#include <deque>
#include <functional>
#include <vector>

#include "io/packet_queue.hpp"

namespace testpkt {

class FakeQueue : public xlatd::PacketQueue {
 public:
  std::deque<std::vector<uint8_t>> incoming;
  std::vector<std::vector<uint8_t>> sent;
  unsigned batch = 8;
  unsigned copies = 0;  // send_copy() calls
  // Runs inside receive(): what another thread does while the worker waits.
  std::function<void()> while_waiting;

  std::span<xlat::Packet> receive(int) override {
    if (while_waiting) while_waiting();
    packets_.clear();
    buffers_.clear();
    buffers_.reserve(batch);
    while (!incoming.empty() && packets_.size() < batch) {
      auto& b = buffers_.emplace_back(xlatd::kQueueHeadroom + incoming.front().size() + 64);
      std::copy(incoming.front().begin(), incoming.front().end(), b.begin() + xlatd::kQueueHeadroom);
      packets_.push_back({b.data() + xlatd::kQueueHeadroom, static_cast<uint32_t>(incoming.front().size()),
                          xlatd::kQueueHeadroom});
      incoming.pop_front();
    }
    stats_.rx_packets += packets_.size();
    return {packets_.data(), packets_.size()};
  }
  void send(const uint8_t* data, uint32_t len) override {
    sent.emplace_back(data, data + len);
    stats_.tx_packets++;
  }
  void send_copy(const uint8_t* data, uint32_t len) override {
    ++copies;
    send(data, len);
  }
  void flush() override {}
  xlatd::QueueStats stats() const override { return stats_; }

 private:
  std::vector<std::vector<uint8_t>> buffers_;
  std::vector<xlat::Packet> packets_;
  xlatd::QueueStats stats_;
};

}  // namespace testpkt
