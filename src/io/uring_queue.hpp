// One TUN queue driven through io_uring, a batch per system call.
//
// A fixed set of buffer slots cycles through: READING (a read is outstanding on it),
// HELD (its packet was handed to the worker this round), and back once every write
// that points into it has completed. Each receive() is one io_uring_enter that submits
// the previous round's writes and the re-armed reads, and waits for at least one
// completion; everything that has completed by then is the batch.
//
// On kernels where TUN supports non-blocking io_uring reads (6.4+) the reads simply
// stay pending until a packet arrives. Older kernels complete them with -EAGAIN (the fd
// is O_NONBLOCK); such a read is re-armed behind a linked POLLIN, never spun on.
// Packets from the translator's scratch buffer (ICMP errors, fragments) are copied to
// transmit slots first, since scratch is reused for the next packet.
#pragma once

#include <liburing.h>

#include <memory>
#include <string>
#include <vector>

#include "io/packet_queue.hpp"

namespace xlatd {

class UringQueue : public PacketQueue {
 public:
  // `packet_size`: the largest packet (the TUN MTU); `reads`: reads kept outstanding.
  // Call it on the thread that will use the queue (the ring is single-issuer).
  // `vnet`: the TUN was opened with IFF_VNET_HDR; every packet read has a virtio-net
  // header in the 10 bytes before Packet::data, and every packet sent must have one
  // there too (send_copy writes an empty one).
  // `ring_mode`: "defer" (SINGLE_ISSUER | DEFER_TASKRUN, falling back as needed),
  // "coop" or "basic" — for measuring the choices; the default is "defer".
  static std::unique_ptr<UringQueue> create(int fd, uint32_t packet_size, unsigned reads,
                                            bool vnet, std::string& error,
                                            const std::string& ring_mode = "defer");
  ~UringQueue() override;

  std::span<xlat::Packet> receive(int timeout_ms) override;
  void send(const uint8_t* data, uint32_t len) override;
  void send_copy(const uint8_t* data, uint32_t len) override;
  void flush() override;
  QueueStats stats() const override { return stats_; }
  bool vnet() const override { return vnet_ != 0; }
  // What the kernel let us have: "single-issuer + defer-taskrun", "coop-taskrun" or "basic".
  const std::string& ring_mode() const { return ring_mode_; }

 private:
  enum class SlotState : uint8_t { Free, Reading, Held };
  struct Slot {
    SlotState state = SlotState::Free;
    uint32_t writes = 0;  // outstanding writes from this slot
  };

  UringQueue(int fd, uint32_t packet_size, unsigned reads, bool vnet);
  bool setup(std::string& error, const std::string& ring_mode);
  io_uring_sqe* sqe();
  void arm_read(uint32_t slot, bool after_poll);
  void recycle();
  void reap();
  uint8_t* slot_buf(uint32_t i) { return buffers_.data() + size_t{i} * slot_size_; }

  int fd_;
  uint32_t vnet_;      // bytes of virtio-net header in front of packets (0 or 10)
  uint32_t slot_size_;
  unsigned reads_;     // reads kept outstanding
  uint32_t rx_slots_;  // slots [0, rx_slots_) receive; the rest carry copies
  uint32_t nslots_;
  io_uring ring_{};
  bool ring_ok_ = false;
  std::string ring_mode_;
  std::vector<uint8_t> buffers_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> held_;     // rx slots handed out this round
  std::vector<uint32_t> tx_free_;  // free copy slots
  unsigned pending_ = 0;           // SQEs prepared, not yet submitted
  unsigned writes_in_flight_ = 0;
  std::vector<xlat::Packet> packets_;
  QueueStats stats_;
};

}  // namespace xlatd
