#include "io/uring_queue.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace xlatd {

namespace {

// user_data: what a completion belongs to, and its slot.
enum Tag : uint64_t { kRead = 1, kWrite = 2, kPoll = 3 };
constexpr uint64_t tag(Tag t, uint32_t slot) { return (uint64_t{t} << 32) | slot; }

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
  if (ring_ok_) io_uring_queue_exit(&ring_);
}

std::unique_ptr<UringQueue> UringQueue::create(int fd, uint32_t packet_size, unsigned reads,
                                               bool vnet, std::string& error, const std::string& ring_mode) {
  std::unique_ptr<UringQueue> q(new UringQueue(fd, packet_size, reads, vnet));
  if (!q->setup(error, ring_mode)) return nullptr;
  return q;
}

bool UringQueue::setup(std::string& error, const std::string& ring_mode) {
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
  for (uint32_t i = 0; i < reads_; ++i) arm_read(i, false);
  return true;
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
      if (res > static_cast<int>(vnet_)) {
        res -= static_cast<int>(vnet_);
        slots_[slot].state = SlotState::Held;
        held_.push_back(slot);
        uint8_t* buf = slot_buf(slot);
        packets_.push_back(xlat::Packet{buf + kQueueHeadroom, static_cast<uint32_t>(res), kQueueHeadroom});
      } else if (res == -EAGAIN || res == -EINTR || res == -ECANCELED) {
        arm_read(slot, res == -EAGAIN);  // ECANCELED: its linked poll failed; try again
      } else {
        stats_.rx_errors++;
        slots_[slot].state = SlotState::Free;
      }
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

// Slots the worker is done with go back to reading, keeping reads_ outstanding.
void UringQueue::recycle() {
  for (uint32_t s : held_) slots_[s].state = SlotState::Free;
  held_.clear();
  unsigned reading = 0;
  for (uint32_t i = 0; i < rx_slots_; ++i) reading += slots_[i].state == SlotState::Reading;
  for (uint32_t i = 0; i < rx_slots_ && reading < reads_; ++i) {
    if (slots_[i].state == SlotState::Free && slots_[i].writes == 0) {
      arm_read(i, false);
      ++reading;
    }
  }
}

std::span<xlat::Packet> UringQueue::receive(int timeout_ms) {
  packets_.clear();
  recycle();
  // One system call: the writes and reads prepared since the last one, and a wait for
  // at least one completion.
  __kernel_timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000LL};
  io_uring_cqe* c = nullptr;
  stats_.syscalls++;
  pending_ = 0;
  int rc = io_uring_submit_and_wait_timeout(&ring_, &c, 1, timeout_ms >= 0 ? &ts : nullptr, nullptr);
  if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN) {
    // Not a timeout: something is wrong with the ring. Count it and do not spin.
    stats_.rx_errors++;
    ::usleep(1000);
  }
  reap();
  if (!packets_.empty()) {
    stats_.rounds++;
    stats_.rx_packets += packets_.size();
  }
  return {packets_.data(), packets_.size()};
}

}  // namespace xlatd
