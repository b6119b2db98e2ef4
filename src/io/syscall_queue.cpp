#include "io/syscall_queue.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace xlatd {

SyscallQueue::SyscallQueue(int fd, uint32_t packet_size, bool vnet, unsigned batch, std::string why)
    : fd_(fd),
      vnet_(vnet ? 10 : 0),
      slot_size_((kQueueHeadroom + packet_size + 64 + 63) & ~63u),
      batch_(batch == 0 ? 1 : batch),
      why_(std::move(why)),
      buffers_(size_t{slot_size_} * (2 * batch_ + 1)) {
  packets_.reserve(batch_);
}

std::string SyscallQueue::describe() const {
  return "read/write system calls, " + std::to_string(batch_) + " packets per batch (no io_uring: " + why_ + ")";
}

std::span<xlat::Packet> SyscallQueue::receive(int timeout_ms) {
  packets_.clear();
  half_ ^= 1;  // the other half still holds the last batch, which stays valid one more call
  for (unsigned n = 0; n < batch_; ++n) {
    uint8_t* slot = slot_buf(half_ * batch_ + n);
    stats_.syscalls++;
    ssize_t got = ::read(fd_, slot + kQueueHeadroom - vnet_, slot_size_ - kQueueHeadroom + vnet_);
    if (got > static_cast<ssize_t>(vnet_)) {
      packets_.push_back(xlat::Packet{slot + kQueueHeadroom, static_cast<uint32_t>(got) - vnet_, kQueueHeadroom});
      continue;
    }
    if (got >= 0) {  // shorter than its own virtio-net header
      stats_.rx_errors++;
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      stats_.rx_errors++;
      break;
    }
    // Nothing more to read: hand over what came, or wait for the first packet.
    if (!packets_.empty() || n > 0) break;
    pollfd p{fd_, POLLIN, 0};
    stats_.syscalls++;
    int rc = ::poll(&p, 1, timeout_ms);
    if (rc <= 0) break;  // timeout, or a signal: the worker looks at its stop flag
    --n;                 // readable now: this slot reads again
  }
  if (!packets_.empty()) {
    stats_.rounds++;
    stats_.rx_packets += packets_.size();
  }
  return {packets_.data(), packets_.size()};
}

void SyscallQueue::write_out(const uint8_t* frame, uint32_t len) {
  stats_.syscalls++;
  ssize_t rc;
  do {
    rc = ::write(fd_, frame, len);
  } while (rc < 0 && errno == EINTR);
  if (rc == static_cast<ssize_t>(len)) {
    stats_.tx_packets++;
  } else {
    stats_.tx_errors++;
  }
}

// A packet in one of our receive slots has its virtio-net header (written by the
// offload layer) right in front of it.
void SyscallQueue::send(const uint8_t* data, uint32_t len) {
  const uint8_t* rx_end = buffers_.data() + size_t{slot_size_} * 2 * batch_;
  if (data < buffers_.data() + kQueueHeadroom || data >= rx_end) return send_copy(data, len);
  write_out(data - vnet_, len + vnet_);
}

void SyscallQueue::send_copy(const uint8_t* data, uint32_t len) {
  if (vnet_ == 0) return write_out(data, len);  // nothing to put in front: no copy needed
  if (len + kQueueHeadroom > slot_size_) {
    stats_.tx_errors++;
    return;
  }
  uint8_t* dst = slot_buf(2 * batch_) + kQueueHeadroom;
  std::memset(dst - vnet_, 0, vnet_);  // no offload for a packet built in scratch
  std::memcpy(dst, data, len);
  write_out(dst - vnet_, len + vnet_);
}

}  // namespace xlatd
