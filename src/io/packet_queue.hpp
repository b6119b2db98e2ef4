// What a worker reads and writes: packets ready for the core, and the core's output
// back. Whatever the device needs around them (virtio-net headers, super-packets cut
// in software, copies out of scratch) happens behind this interface (OffloadQueue,
// offload_queue.hpp), as wireguard-go's tun.Device keeps GRO/GSO inside tun/. A worker
// reads: receive, translate, send.
#pragma once

#include <cstddef>
#include <span>

#include "io/device_queue.hpp"
#include "xlat/translator.hpp"

namespace xlatd {

class PacketQueue {
 public:
  virtual ~PacketQueue() = default;
  // Sends what was queued in the previous round, then returns the packets read now,
  // each described for the core (offload state in the Packet) and within its limits;
  // valid until the call after next.
  virtual std::span<xlat::Packet> receive(int timeout_ms) = 0;
  // Queues what the core made of packet `i` of the last receive().
  virtual void send(size_t i, const xlat::Output& out) = 0;
  // Sends everything queued now (before stopping).
  virtual void flush() = 0;
  virtual QueueStats stats() const = 0;
  // The device's MTU, which translated packets must fit.
  virtual void set_mtu(uint32_t mtu) = 0;
  virtual std::string describe() const = 0;
};

}  // namespace xlatd
