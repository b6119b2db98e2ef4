#include "io/uring_queue.hpp"

#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace xlatd {

namespace {

// user_data: what a completion belongs to, and its slot.
enum Tag : uint64_t { kRead = 1, kWrite = 2, kPoll = 3, kMultishot = 4 };
constexpr uint64_t tag(Tag t, uint32_t slot) { return (uint64_t{t} << 32) | slot; }

// IORING_OP_READ_MULTISHOT (Linux 6.7); liburing 2.3's headers stop at 48.
constexpr uint8_t kOpReadMultishot = 49;
constexpr uint16_t kBufferGroup = 0;
// A multishot read that fails this many times in a row, before any packet came through
// it, is given up for single reads.
constexpr unsigned kMultishotGiveUp = 8;

bool kernel_has_multishot_read(io_uring* ring) {
  io_uring_probe* probe = io_uring_get_probe_ring(ring);
  if (probe == nullptr) return false;
  bool ok = io_uring_opcode_supported(probe, kOpReadMultishot) != 0;
  io_uring_free_probe(probe);
  return ok;
}

}  // namespace

UringQueue::UringQueue(int fd, uint32_t packet_size, unsigned reads, bool vnet)
    : fd_(fd),
      vnet_(vnet ? 10 : 0),
      slot_size_((kQueueHeadroom + packet_size + 64 + 63) & ~63u),
      reads_(reads),
      rx_slots_(2 * reads),  // outstanding reads + one round of held packets
      nslots_(2 * reads + 2 * reads),
      buffers_(size_t{slot_size_} * nslots_),
      slots_(nslots_) {
  for (uint32_t i = rx_slots_; i < nslots_; ++i) tx_free_.push_back(i);
  packets_.reserve(rx_slots_);
  held_.reserve(rx_slots_);
}

UringQueue::~UringQueue() {
  if (ring_ok_) io_uring_queue_exit(&ring_);  // also drops the buffer ring's registration
  if (buf_ring_ != nullptr) ::munmap(buf_ring_, buf_ring_bytes_);
}

std::unique_ptr<UringQueue> UringQueue::create(int fd, uint32_t packet_size, bool vnet, const Options& opt,
                                               std::string& error) {
  std::unique_ptr<UringQueue> q(new UringQueue(fd, packet_size, opt.reads, vnet));
  if (!q->setup(error, opt)) return nullptr;
  return q;
}

std::string UringQueue::describe() const {
  return "io_uring " + ring_mode_ + ", " +
         (multishot_ ? "multishot reads into " + std::to_string(rx_slots_) + " buffers"
                     : std::to_string(reads_) + " reads");
}

bool UringQueue::setup(std::string& error, const Options& opt) {
  const std::string& ring_mode = opt.ring;
  // One ring per worker thread: SINGLE_ISSUER + DEFER_TASKRUN (Linux 6.1) runs completion
  // work only when this thread asks; older kernels refuse the flags, so fall back.
  struct Mode {
    unsigned flags;
    const char* name;
  };
  const Mode modes[] = {
#if defined(IORING_SETUP_SINGLE_ISSUER) && defined(IORING_SETUP_DEFER_TASKRUN)
      {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, "single-issuer + defer-taskrun"},
#endif
#ifdef IORING_SETUP_COOP_TASKRUN
      {IORING_SETUP_COOP_TASKRUN, "coop-taskrun"},
#endif
      {0, "basic"},
  };
  int rc = -EINVAL;
  for (const auto& m : modes) {
    // Start from the requested mode; fall back from there.
    if (ring_mode == "coop" && m.flags != 0 && std::string(m.name) != "coop-taskrun") continue;
    if (ring_mode == "basic" && m.flags != 0) continue;
    io_uring_params p{};
    p.flags = m.flags;
    p.flags |= IORING_SETUP_CQSIZE;
    p.cq_entries = 4 * nslots_;
    rc = io_uring_queue_init_params(2 * nslots_, &ring_, &p);
    if (rc == 0) {
      ring_mode_ = m.name;
      break;
    }
  }
  if (rc < 0) {
    error = std::string("io_uring setup failed: ") + std::strerror(-rc);
    return false;
  }
  ring_ok_ = true;
  if (opt.read != "single" && kernel_has_multishot_read(&ring_) && setup_buffer_ring()) {
    multishot_ = true;
    recycle();  // every receive slot into the ring, and the read armed
  } else {
    for (uint32_t i = 0; i < reads_; ++i) arm_read(i, false);
  }
  return true;
}

// The ring of buffer descriptors is page-aligned memory shared with the kernel;
// liburing 2.3 has the registration call but not io_uring_setup_buf_ring.
bool UringQueue::setup_buffer_ring() {
  uint32_t entries = 1;
  while (entries < rx_slots_) entries <<= 1;
  size_t bytes = entries * sizeof(io_uring_buf);
  void* mem = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
  if (mem == MAP_FAILED) return false;
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<uint64_t>(mem);
  reg.ring_entries = entries;
  reg.bgid = kBufferGroup;
  if (io_uring_register_buf_ring(&ring_, &reg, 0) != 0) {
    ::munmap(mem, bytes);
    return false;
  }
  buf_ring_ = static_cast<io_uring_buf_ring*>(mem);
  buf_ring_bytes_ = bytes;
  buf_ring_entries_ = entries;
  io_uring_buf_ring_init(buf_ring_);
  return true;
}

// Multishot reads keep failing: take the buffers back and read the old way.
void UringQueue::drop_buffer_ring() {
  io_uring_unregister_buf_ring(&ring_, kBufferGroup);
  ::munmap(buf_ring_, buf_ring_bytes_);
  buf_ring_ = nullptr;
  multishot_ = false;
  multishot_armed_ = false;
  for (uint32_t i = 0; i < rx_slots_; ++i) {
    if (slots_[i].state == SlotState::Reading) slots_[i].state = SlotState::Free;
  }
}

io_uring_sqe* UringQueue::sqe() {
  io_uring_sqe* s = io_uring_get_sqe(&ring_);
  if (s == nullptr) {
    stats_.syscalls++;
    io_uring_submit(&ring_);
    pending_ = 0;
    s = io_uring_get_sqe(&ring_);
  }
  if (s != nullptr) ++pending_;
  return s;
}

void UringQueue::arm_read(uint32_t slot, bool after_poll) {
  if (after_poll) {
    // Old kernels: wait for readability first, then read (linked).
    io_uring_sqe* p = sqe();
    if (p == nullptr) return;
    io_uring_prep_poll_add(p, fd_, POLLIN);
    io_uring_sqe_set_data64(p, tag(kPoll, slot));
    p->flags |= IOSQE_IO_LINK;
  }
  io_uring_sqe* s = sqe();
  if (s == nullptr) return;
  io_uring_prep_read(s, fd_, slot_buf(slot) + kQueueHeadroom - vnet_, slot_size_ - kQueueHeadroom + vnet_, 0);
  io_uring_sqe_set_data64(s, tag(kRead, slot));
  slots_[slot].state = SlotState::Reading;
}

void UringQueue::arm_multishot() {
  io_uring_sqe* s = sqe();
  if (s == nullptr) return;
  // No address and no length: each read takes the next buffer from group 0.
  io_uring_prep_rw(kOpReadMultishot, s, fd_, nullptr, 0, 0);
  s->flags |= IOSQE_BUFFER_SELECT;
  s->buf_group = kBufferGroup;
  io_uring_sqe_set_data64(s, tag(kMultishot, 0));
  multishot_armed_ = true;
}

void UringQueue::send(const uint8_t* data, uint32_t len) {
  size_t off = static_cast<size_t>(data - buffers_.data());
  if (data < buffers_.data() || off >= buffers_.size()) return send_copy(data, len);
  uint32_t slot = static_cast<uint32_t>(off / slot_size_);
  io_uring_sqe* s = sqe();
  if (s == nullptr) {
    stats_.tx_errors++;
    return;
  }
  io_uring_prep_write(s, fd_, data - vnet_, len + vnet_, 0);
  io_uring_sqe_set_data64(s, tag(kWrite, slot));
  slots_[slot].writes++;
  writes_in_flight_++;
}

void UringQueue::send_copy(const uint8_t* data, uint32_t len) {
  if (len + kQueueHeadroom > slot_size_) {
    stats_.tx_errors++;
    return;
  }
  if (tx_free_.empty()) flush();  // every copy slot is being written: wait for them
  if (tx_free_.empty()) {
    stats_.tx_errors++;
    return;
  }
  uint32_t slot = tx_free_.back();
  tx_free_.pop_back();
  uint8_t* dst = slot_buf(slot) + kQueueHeadroom;
  std::memset(dst - vnet_, 0, vnet_);  // no offload for a packet built in scratch
  std::memcpy(dst, data, len);
  send(dst, len);
}

void UringQueue::flush() {
  while (writes_in_flight_ > 0 || pending_ > 0) {
    stats_.syscalls++;
    pending_ = 0;
    if (io_uring_submit_and_wait(&ring_, 1) < 0) break;
    reap();
  }
}

// Collects every completion that is there.
void UringQueue::reap() {
  io_uring_cqe* cqe;
  unsigned head;
  unsigned n = 0;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    ++n;
    uint64_t data = io_uring_cqe_get_data64(cqe);
    Tag t = static_cast<Tag>(data >> 32);
    uint32_t slot = static_cast<uint32_t>(data);
    int res = cqe->res;
    if (t == kRead) {
      if (res == -EAGAIN || res == -EINTR || res == -ECANCELED) {
        arm_read(slot, res == -EAGAIN);  // ECANCELED: its linked poll failed; try again
      } else {
        on_read(slot, res);
      }
    } else if (t == kMultishot) {
      on_multishot(cqe);
    } else if (t == kWrite) {
      writes_in_flight_--;
      if (res < 0) {
        stats_.tx_errors++;
      } else {
        stats_.tx_packets++;
      }
      if (--slots_[slot].writes == 0 && slot >= rx_slots_) tx_free_.push_back(slot);
    }
  }
  io_uring_cq_advance(&ring_, n);
}

// A read into `slot` completed with `res` bytes (virtio-net header included) or an error.
void UringQueue::on_read(uint32_t slot, int res) {
  if (res > static_cast<int>(vnet_)) {
    slots_[slot].state = SlotState::Held;
    held_.push_back(slot);
    packets_.push_back(xlat::Packet{slot_buf(slot) + kQueueHeadroom, static_cast<uint32_t>(res) - vnet_,
                                    kQueueHeadroom});
  } else {
    stats_.rx_errors++;
    slots_[slot].state = SlotState::Free;
  }
}

void UringQueue::on_multishot(const io_uring_cqe* cqe) {
  const bool more = (cqe->flags & IORING_CQE_F_MORE) != 0;
  if (!more) multishot_armed_ = false;  // re-armed by recycle() once buffers are back
  if (cqe->flags & IORING_CQE_F_BUFFER) {
    uint32_t slot = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
    if (slot < rx_slots_) {
      on_read(slot, cqe->res);
      if (cqe->res > 0) {
        multishot_worked_ = true;
        multishot_failures_ = 0;
      }
    }
    return;
  }
  // No buffer: ENOBUFS (all of them are held or being written) ends the read until
  // buffers come back; that is flow control, not an error.
  if (cqe->res == -ENOBUFS || cqe->res == -EINTR || cqe->res == -ECANCELED) return;
  if (cqe->res < 0) {
    stats_.rx_errors++;
    if (!multishot_worked_ && ++multishot_failures_ >= kMultishotGiveUp) drop_buffer_ring();
  }
}

// Slots the worker is done with go back to reading: into the buffer ring (multishot) or
// as single reads, keeping reads_ outstanding. A slot still being written waits.
// Returns whether a read is outstanding.
bool UringQueue::recycle() {
  for (uint32_t s : held_) slots_[s].state = SlotState::Free;
  held_.clear();
  if (multishot_) {
    const int mask = io_uring_buf_ring_mask(buf_ring_entries_);
    int added = 0;
    bool in_ring = false;
    for (uint32_t i = 0; i < rx_slots_; ++i) {
      in_ring = in_ring || slots_[i].state == SlotState::Reading;
      if (slots_[i].state != SlotState::Free || slots_[i].writes != 0) continue;
      io_uring_buf_ring_add(buf_ring_, slot_buf(i) + kQueueHeadroom - vnet_, slot_size_ - kQueueHeadroom + vnet_,
                            static_cast<unsigned short>(i), mask, added++);
      slots_[i].state = SlotState::Reading;
    }
    if (added > 0) io_uring_buf_ring_advance(buf_ring_, added);
    if (!multishot_armed_ && (added > 0 || in_ring)) arm_multishot();
    return multishot_armed_;
  }
  unsigned reading = 0;
  for (uint32_t i = 0; i < rx_slots_; ++i) reading += slots_[i].state == SlotState::Reading;
  for (uint32_t i = 0; i < rx_slots_ && reading < reads_; ++i) {
    if (slots_[i].state == SlotState::Free && slots_[i].writes == 0) {
      arm_read(i, false);
      ++reading;
    }
  }
  return reading > 0;
}

std::span<xlat::Packet> UringQueue::receive(int timeout_ms) {
  packets_.clear();
  __kernel_timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000LL};
  // One system call: the writes and reads prepared since the last one, and a wait for
  // one completion more than there are writes. A TUN write completes during the submit
  // itself, so waiting for just one completion would return at once with the writes' and
  // take a second call to wait for packets.
  // But when every receive buffer is still being written (a whole batch sent back), no
  // read can be armed and the one completion more would never come: the wait would
  // last its whole timeout with packets waiting. Then wait for the writes alone, and go
  // round once more with the buffers they free. (docs/io.md: what each cost.)
  for (int pass = 0; pass < 2; ++pass) {
    const bool reading = recycle();
    io_uring_cqe* c = nullptr;
    stats_.syscalls++;
    pending_ = 0;
    const unsigned want = writes_in_flight_ + (reading ? 1 : 0);
    int rc = io_uring_submit_and_wait_timeout(&ring_, &c, want, timeout_ms >= 0 ? &ts : nullptr, nullptr);
    if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN) {
      // Not a timeout: something is wrong with the ring. Count it and do not spin.
      stats_.rx_errors++;
      ::usleep(1000);
    }
    if (reading || want == 0) break;
    reap();
  }
  reap();
  if (!packets_.empty()) {
    stats_.rounds++;
    stats_.rx_packets += packets_.size();
  }
  return {packets_.data(), packets_.size()};
}

}  // namespace xlatd
