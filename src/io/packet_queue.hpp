// A batch of packets in, a batch out: the interface between a worker and one TUN queue.
// UringQueue is the real one; tests use FakeQueue (tests/unit/fake_queue.hpp).
#pragma once

#include <cstdint>
#include <span>

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
};

class PacketQueue {
 public:
  virtual ~PacketQueue() = default;
  // Sends what send() queued in the previous round, then returns the packets read now
  // (each with kQueueHeadroom writable bytes in front; valid until the call after next).
  // Waits up to timeout_ms when nothing is ready; an empty span means nothing came.
  virtual std::span<xlat::Packet> receive(int timeout_ms) = 0;
  // Queues a packet whose bytes lie inside a buffer this queue handed out.
  virtual void send(const uint8_t* data, uint32_t len) = 0;
  // Queues a copy of a packet that lives elsewhere (the translator's scratch buffer).
  virtual void send_copy(const uint8_t* data, uint32_t len) = 0;
  // Sends everything queued now (before stopping).
  virtual void flush() = 0;
  virtual QueueStats stats() const = 0;
  // Packets carry a virtio-net header in the 10 bytes before Packet::data (offloads).
  virtual bool vnet() const { return false; }
};

}  // namespace xlatd
