#include "io/offload_queue.hpp"

#include "io/gso_segment.hpp"

namespace xlatd {

namespace {

bool in_span(const uint8_t* p, std::span<const uint8_t> buf) {
  return p >= buf.data() && p < buf.data() + buf.size();
}

}  // namespace

std::span<xlat::Packet> OffloadQueue::receive(int timeout_ms) {
  std::span<xlat::Packet> pkts = device_->receive(timeout_ms);
  if (!device_->vnet()) return pkts;
  ready_.clear();
  headers_.clear();
  is_segment_.clear();
  segments_used_ = 0;
  for (xlat::Packet& p : pkts) {
    VnetHeader vh = read_vnet(p.data - kVnetHeaderLen);
    if (needs_software_segmentation(vh, p.data, p.len, mtu_)) {
      segment(p, vh);
      continue;
    }
    describe_for_core(vh, p);
    ready_.push_back(p);
    headers_.push_back(vh);
    is_segment_.push_back(0);
  }
  return {ready_.data(), ready_.size()};
}

// Each segment is an ordinary packet with complete checksums: translated on its own, so
// every RFC 7915 rule (fragmentation, Packet Too Big, ...) applies to it as to any other.
void OffloadQueue::segment(const xlat::Packet& p, const VnetHeader& vh) {
  GsoLayout g;
  if (!gso_layout(p.data, p.len, vh, g)) {
    gso_untranslatable_++;
    return;
  }
  if (segments_used_ == segments_.size()) segments_.emplace_back();
  std::vector<uint8_t>& buf = segments_[segments_used_++];
  // Headroom in front for the core to grow the header in place, and a margin behind.
  const size_t stride = kQueueHeadroom + g.hdr_len + g.mss + kQueueHeadroom;
  if (buf.size() < stride * g.segments) buf.resize(stride * g.segments);
  gso_segmented_++;
  for (uint32_t i = 0; i < g.segments; ++i) {
    uint8_t* at = buf.data() + i * stride + kQueueHeadroom;
    uint32_t n = write_segment(p.data, g, i, at);
    ready_.push_back({at, n, kQueueHeadroom});
    headers_.push_back(VnetHeader{});
    is_segment_.push_back(1);
  }
}

void OffloadQueue::send(size_t i, const xlat::Output& out) {
  const bool vnet = device_->vnet();
  const bool segment = vnet && is_segment_[i] != 0;
  for (uint32_t k = 0; k < out.count; ++k) {
    const xlat::Slice& s = out.pkts[k];
    // Built in the core's scratch or in a segment buffer: both are reused for the next
    // packet, so the device gets a copy.
    if (in_span(s.data, out.scratch) || segment) {
      device_->send_copy(s.data, s.len);
      continue;
    }
    if (vnet) {
      // The translated packet keeps its offload state; anything else goes out plain.
      VnetHeader oh = out.verdict == xlat::Verdict::Forward ? headers_[i] : VnetHeader{};
      if (!translate_vnet(oh, s.data, s.len, mtu_)) {
        gso_untranslatable_++;
        continue;
      }
      write_vnet(s.data - kVnetHeaderLen, oh);
    }
    device_->send(s.data, s.len);
  }
}

QueueStats OffloadQueue::stats() const {
  QueueStats s = device_->stats();
  s.gso_segmented += gso_segmented_;
  s.gso_untranslatable += gso_untranslatable_;
  return s;
}

}  // namespace xlatd
