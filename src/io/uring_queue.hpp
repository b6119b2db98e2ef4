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
//
// Reads come in one of two ways:
// - multishot (Linux 6.7+, the default where the kernel has it): the receive slots form
//   a provided-buffer ring, and ONE read request stays armed, posting a completion per
//   packet into whichever buffer the kernel takes next: one poll registration on the TUN
//   instead of one per outstanding read, each of which every packet would wake
//   (docs/io.md has the measurement).
// - single: `reads` plain READs kept outstanding, for older kernels. Debian 12's liburing
//   2.3 has neither the multishot opcode nor its helper, so the request is built by hand.
#pragma once

#include <liburing.h>

#include <memory>
#include <string>
#include <vector>

#include "io/device_queue.hpp"

namespace xlatd {

class UringQueue : public DeviceQueue {
 public:
  // `packet_size`: the largest packet (the TUN MTU); `reads`: reads kept outstanding.
  // Call it on the thread that will use the queue (the ring is single-issuer).
  // `vnet`: the TUN was opened with IFF_VNET_HDR; every packet read has a virtio-net
  // header in the 10 bytes before Packet::data, and every packet sent must have one
  // there too (send_copy writes an empty one).
  struct Options {
    unsigned reads = 64;  // single reads kept outstanding; multishot gets 2x as buffers
    // "defer" (SINGLE_ISSUER | DEFER_TASKRUN, falling back as needed), "coop" or "basic".
    std::string ring = "defer";
    // "multishot" (falls back to single where the kernel lacks it) or "single".
    std::string read = "multishot";
  };
  static std::unique_ptr<UringQueue> create(int fd, uint32_t packet_size, bool vnet, const Options& opt,
                                            std::string& error);
  ~UringQueue() override;

  std::span<xlat::Packet> receive(int timeout_ms) override;
  void send(const uint8_t* data, uint32_t len) override;
  void send_copy(const uint8_t* data, uint32_t len) override;
  void flush() override;
  QueueStats stats() const override { return stats_; }
  bool vnet() const override { return vnet_ != 0; }
  // What the kernel let us have: "single-issuer + defer-taskrun", "coop-taskrun" or
  // "basic", then "multishot reads" or "N reads".
  std::string describe() const override;
  bool multishot() const { return multishot_; }

 private:
  enum class SlotState : uint8_t { Free, Reading, Held };
  struct Slot {
    SlotState state = SlotState::Free;
    uint32_t writes = 0;  // outstanding writes from this slot
  };

  UringQueue(int fd, uint32_t packet_size, unsigned reads, bool vnet);
  bool setup(std::string& error, const Options& opt);
  bool setup_buffer_ring();
  void drop_buffer_ring();
  io_uring_sqe* sqe();
  void arm_read(uint32_t slot, bool after_poll);
  void arm_multishot();
  void on_read(uint32_t slot, int res);
  void on_multishot(const io_uring_cqe* cqe);
  bool recycle();
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
  // Multishot reads: the receive slots as a provided-buffer ring (group 0).
  bool multishot_ = false;
  bool multishot_armed_ = false;
  bool multishot_worked_ = false;      // a packet has come this way (else errors fall back)
  unsigned multishot_failures_ = 0;    // in a row
  io_uring_buf_ring* buf_ring_ = nullptr;
  size_t buf_ring_bytes_ = 0;
  uint32_t buf_ring_entries_ = 0;
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
