// A device queue in memory: tests push packets in and read what went out. FakeQueue is
// what a worker gets in the daemon, the OffloadQueue, over such a device.
#pragma once

#include <deque>
#include <functional>
#include <vector>

#include "io/device_queue.hpp"
#include "io/offload_queue.hpp"

namespace testpkt {

class FakeDeviceQueue : public xlatd::DeviceQueue {
 public:
  std::deque<std::vector<uint8_t>> incoming;
  std::vector<std::vector<uint8_t>> sent;
  unsigned batch = 8;
  unsigned copies = 0;  // send_copy() calls
  // Runs inside receive(): what another thread does while the worker waits.
  std::function<void()> while_waiting;
  // As a TUN with IFF_VNET_HDR: each `incoming` entry starts with its 10-byte virtio-net
  // header, and `sent_vnet` records the header each sent packet went out with.
  bool vnet_mode = false;
  std::vector<std::vector<uint8_t>> sent_vnet;
  int last_timeout = -2;  // the timeout the last receive() was given

  std::span<xlat::Packet> receive(int timeout_ms) override {
    last_timeout = timeout_ms;
    if (while_waiting) while_waiting();
    packets_.clear();
    buffers_.clear();
    buffers_.reserve(batch);
    while (!incoming.empty() && packets_.size() < batch) {
      const size_t hdr = vnet_mode ? 10 : 0;
      const auto& in = incoming.front();
      auto& b = buffers_.emplace_back(xlatd::kQueueHeadroom + in.size() + 64);
      std::copy(in.begin(), in.end(), b.begin() + xlatd::kQueueHeadroom - hdr);
      packets_.push_back({b.data() + xlatd::kQueueHeadroom, static_cast<uint32_t>(in.size() - hdr),
                          xlatd::kQueueHeadroom});
      incoming.pop_front();
    }
    stats_.rx_packets += packets_.size();
    return {packets_.data(), packets_.size()};
  }
  void send(const uint8_t* data, uint32_t len) override {
    sent.emplace_back(data, data + len);
    if (vnet_mode) sent_vnet.emplace_back(data - 10, data);
    stats_.tx_packets++;
  }
  void send_copy(const uint8_t* data, uint32_t len) override {
    ++copies;
    sent.emplace_back(data, data + len);
    // The real queue writes a copy's (empty) header itself, and its own test checks
    // that; here a copy records no header, so a worker test cannot pass on the fake's
    // word (issue 15: the fake wrote the zeros the worker tests then asserted).
    if (vnet_mode) sent_vnet.emplace_back();
    stats_.tx_packets++;
  }
  bool vnet() const override { return vnet_mode; }
  void flush() override {}
  xlatd::QueueStats stats() const override { return stats_; }

 private:
  std::vector<std::vector<uint8_t>> buffers_;
  std::vector<xlat::Packet> packets_;
  xlatd::QueueStats stats_;
};

// The worker's queue: the offload work of the daemon over the device in memory (`dev`).
class FakeQueue : public xlatd::OffloadQueue {
 public:
  FakeQueue()
      : xlatd::OffloadQueue(std::make_unique<FakeDeviceQueue>(), 1500),
        dev(static_cast<FakeDeviceQueue&>(device())) {}
  FakeDeviceQueue& dev;
};

}  // namespace testpkt
