// One TUN queue driven by plain poll/read/write system calls: the queue the daemon falls
// back to where io_uring cannot be had. Container runtimes block it by default (Docker's
// and podman's seccomp profiles refuse io_uring_setup; podman here answers ENOSYS),
// kernels can turn it off (kernel.io_uring_disabled, Linux 6.6), and old kernels charge
// its rings to RLIMIT_MEMLOCK. Then a translator that will not start is worse than a
// slower one: the worker reads a batch with one read per packet and writes each packet
// as it is sent. Same contract as UringQueue (device_queue.hpp).
//
// Receive slots come in two halves used in turn, so a batch stays valid until the call
// after next, as the contract says; copies (scratch packets behind a virtio-net header)
// go through one transmit buffer, written at once.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "io/device_queue.hpp"

namespace xlatd {

class SyscallQueue : public DeviceQueue {
 public:
  // `batch`: packets read per receive() at most; `why`: why io_uring is not used, for
  // the start-up log line.
  SyscallQueue(int fd, uint32_t packet_size, bool vnet, unsigned batch, std::string why);

  std::span<xlat::Packet> receive(int timeout_ms) override;
  void send(const uint8_t* data, uint32_t len) override;
  void send_copy(const uint8_t* data, uint32_t len) override;
  void flush() override {}  // every send() is written at once
  QueueStats stats() const override { return stats_; }
  bool vnet() const override { return vnet_ != 0; }
  std::string describe() const override;

 private:
  uint8_t* slot_buf(uint32_t i) { return buffers_.data() + size_t{i} * slot_size_; }
  void write_out(const uint8_t* frame, uint32_t len);

  int fd_;
  uint32_t vnet_;  // bytes of virtio-net header in front of packets (0 or 10)
  uint32_t slot_size_;
  unsigned batch_;
  unsigned half_ = 0;  // which half of the receive slots this round reads into
  std::string why_;
  std::vector<uint8_t> buffers_;  // 2 * batch receive slots, then one transmit slot
  std::vector<xlat::Packet> packets_;
  QueueStats stats_;
};

}  // namespace xlatd
