// One TUN queue as bytes: batches of packets in, packets out. UringQueue is the real
// one; tests use FakeDeviceQueue (tests/unit/fake_queue.hpp). Workers never see it:
// they see a PacketQueue (packet_queue.hpp), which puts the offload work in between.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "xlat/translator.hpp"

namespace xlatd {

// Bytes kept free in front of every received packet, so 4→6 can grow the header in
// place (the core needs xlat::kHeadroom4to6).
inline constexpr uint32_t kQueueHeadroom = 64;

struct QueueStats {
  uint64_t rx_packets = 0;
  uint64_t tx_packets = 0;
  uint64_t rx_errors = 0;
  uint64_t tx_errors = 0;    // writes the kernel refused
  uint64_t rounds = 0;       // receive() calls that returned packets
  uint64_t syscalls = 0;     // io_uring_enter and friends
  uint64_t gso_segmented = 0;        // super-packets cut into packets in software (gso_segment.hpp)
  uint64_t gso_untranslatable = 0;   // super-packets that could not be carried across (a worker
                                     // publishes them as the drop gso_untranslatable)
};

class DeviceQueue {
 public:
  virtual ~DeviceQueue() = default;
  // Sends what send() queued in the previous round, then returns the packets read now
  // (each with kQueueHeadroom writable bytes in front; valid until the call after next).
  // Waits up to timeout_ms when nothing is ready; an empty span means nothing came.
  virtual std::span<xlat::Packet> receive(int timeout_ms) = 0;
  // Queues a packet whose bytes lie inside a buffer this queue handed out (with vnet(),
  // its virtio-net header already written in the 10 bytes before it).
  virtual void send(const uint8_t* data, uint32_t len) = 0;
  // Queues a copy of a packet that lives elsewhere (the translator's scratch buffer),
  // behind an empty virtio-net header with vnet().
  virtual void send_copy(const uint8_t* data, uint32_t len) = 0;
  // Sends everything queued now (before stopping).
  virtual void flush() = 0;
  virtual QueueStats stats() const = 0;
  // Packets carry a virtio-net header in the 10 bytes before Packet::data (offloads).
  virtual bool vnet() const { return false; }
  // What the kernel let this queue have, for the start-up log line.
  virtual std::string describe() const { return ""; }
};

}  // namespace xlatd
