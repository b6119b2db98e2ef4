// The PacketQueue over one device queue: the offload work between the TUN and the core.
// Received: each packet's virtio-net header is read and the packet described for the
// core (describe_for_core); a UDP super-packet whose datagrams would not fit the MTU
// once translated is cut into datagrams here (gso_segment.hpp), each handed over as a
// packet of its own. Sent: a packet translated in place keeps its offload state
// (translate_vnet rewrites the header; one that cannot go out as one unit is counted
// gso_untranslatable and dropped); anything the core built elsewhere (its scratch, the
// segments) goes out as a plain copy. Without virtio-net headers it only passes
// packets through.
#pragma once

#include <memory>
#include <vector>

#include "io/device_queue.hpp"
#include "io/offload.hpp"
#include "io/packet_queue.hpp"

namespace xlatd {

class OffloadQueue : public PacketQueue {
 public:
  OffloadQueue(std::unique_ptr<DeviceQueue> device, uint32_t mtu) : device_(std::move(device)), mtu_(mtu) {
    // Room for a batch and its segments without allocating round after round.
    ready_.reserve(1024);
    headers_.reserve(1024);
    is_segment_.reserve(1024);
  }
  DeviceQueue& device() { return *device_; }

  std::span<xlat::Packet> receive(int timeout_ms) override;
  void send(size_t i, const xlat::Output& out) override;
  void flush() override { device_->flush(); }
  QueueStats stats() const override;
  void set_mtu(uint32_t mtu) override { mtu_ = mtu; }
  std::string describe() const override { return device_->describe(); }

 private:
  // Cuts super-packet `p` into datagrams in a buffer of its own and appends them.
  void segment(const xlat::Packet& p, const VnetHeader& vh);

  std::unique_ptr<DeviceQueue> device_;
  uint32_t mtu_;
  // The packets of this round; for each the header it was read with, and whether it is
  // a segment cut here (which goes out as a plain copy: its buffer is reused).
  std::vector<xlat::Packet> ready_;
  std::vector<VnetHeader> headers_;
  std::vector<uint8_t> is_segment_;
  // One buffer per super-packet cut this round, reused round after round.
  std::vector<std::vector<uint8_t>> segments_;
  size_t segments_used_ = 0;
  uint64_t gso_segmented_ = 0;
  uint64_t gso_untranslatable_ = 0;
};

}  // namespace xlatd
