// SyscallQueue, the fallback for hosts and containers without io_uring, over a
// SOCK_SEQPACKET socket pair as the io_uring queue's test does: packet boundaries, poll
// and non-blocking reads, like a TUN queue.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>
#include <vector>

#include "io/syscall_queue.hpp"

namespace {

using Bytes = std::vector<uint8_t>;

struct Pair {
  int queue_end = -1;
  int peer = -1;
  Pair() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0) {
      queue_end = sv[0];
      peer = sv[1];
    }
  }
  ~Pair() {
    ::close(queue_end);
    ::close(peer);
  }
};

Bytes packet(uint32_t n, size_t len) {
  Bytes b(len);
  for (size_t i = 0; i < len; ++i) b[i] = static_cast<uint8_t>(n * 7 + i);
  b[0] = static_cast<uint8_t>(n);
  return b;
}

Bytes read_peer(int fd) {
  Bytes b(70000);
  ssize_t n = ::read(fd, b.data(), b.size());
  b.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return b;
}

TEST(SyscallQueue, BatchesArriveIntactInOrderWithHeadroomAndGoBackIntact) {
  Pair pair;
  ASSERT_GE(pair.peer, 0);
  xlatd::SyscallQueue q(pair.queue_end, 1500, false, 8, "test");
  std::vector<Bytes> sent;
  for (uint32_t i = 0; i < 20; ++i) {
    sent.push_back(packet(i, 20 + (i * 71) % 1480));
    ASSERT_EQ(::write(pair.peer, sent.back().data(), sent.back().size()), static_cast<ssize_t>(sent.back().size()));
  }
  std::vector<Bytes> got;
  std::vector<size_t> batches;
  while (got.size() < sent.size()) {
    auto pkts = q.receive(1000);
    ASSERT_FALSE(pkts.empty()) << "packets are waiting";
    batches.push_back(pkts.size());
    for (auto& p : pkts) {
      EXPECT_GE(p.headroom, xlatd::kQueueHeadroom);
      got.emplace_back(p.data, p.data + p.len);
      q.send(p.data, p.len);
    }
  }
  EXPECT_EQ(got, sent);
  EXPECT_EQ(batches, (std::vector<size_t>{8, 8, 4})) << "a batch is as many as are waiting, up to its size";
  for (size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(read_peer(pair.peer), sent[i]) << "echo " << i;
  EXPECT_EQ(q.stats().rx_packets, 20u);
  EXPECT_EQ(q.stats().tx_packets, 20u);
  EXPECT_EQ(q.stats().rounds, 3u);
  EXPECT_EQ(q.stats().rx_errors, 0u);
}

// The contract: a batch stays valid until the call after next.
TEST(SyscallQueue, ABatchSurvivesTheNextReceive) {
  Pair pair;
  xlatd::SyscallQueue q(pair.queue_end, 1500, false, 2, "test");
  Bytes a = packet(1, 100), b = packet(2, 100);
  ASSERT_EQ(::write(pair.peer, a.data(), a.size()), 100);
  auto first = q.receive(1000);
  ASSERT_EQ(first.size(), 1u);
  const uint8_t* kept = first[0].data;
  ASSERT_EQ(::write(pair.peer, b.data(), b.size()), 100);
  auto second = q.receive(1000);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(Bytes(kept, kept + 100), a);
  EXPECT_EQ(Bytes(second[0].data, second[0].data + 100), b);
}

TEST(SyscallQueue, NothingWaitingTimesOutEmptyAndAPacketWakesIt) {
  Pair pair;
  xlatd::SyscallQueue q(pair.queue_end, 1500, false, 4, "test");
  EXPECT_TRUE(q.receive(10).empty());
  Bytes a = packet(3, 60);
  std::thread writer([&] { ASSERT_EQ(::write(pair.peer, a.data(), a.size()), 60); });
  auto pkts = q.receive(-1);  // waits as long as it takes
  writer.join();
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(Bytes(pkts[0].data, pkts[0].data + pkts[0].len), a);
}

// With IFF_VNET_HDR every frame carries 10 bytes of virtio-net header: stripped on
// the way in, and a copy from elsewhere goes out behind an empty one.
TEST(SyscallQueue, VirtioNetHeaderIsStrippedOnReadAndAnEmptyOnePutInFrontOfCopies) {
  Pair pair;
  xlatd::SyscallQueue q(pair.queue_end, 1500, true, 4, "test");
  EXPECT_TRUE(q.vnet());
  Bytes frame(10, 0xee);
  Bytes body = packet(4, 80);
  frame.insert(frame.end(), body.begin(), body.end());
  ASSERT_EQ(::write(pair.peer, frame.data(), frame.size()), static_cast<ssize_t>(frame.size()));
  Bytes runt(6, 0);  // shorter than the header itself: an error, not a packet
  ASSERT_EQ(::write(pair.peer, runt.data(), runt.size()), 6);
  auto pkts = q.receive(1000);
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(Bytes(pkts[0].data, pkts[0].data + pkts[0].len), body);
  EXPECT_EQ(q.stats().rx_errors, 1u);
  q.send(pkts[0].data, pkts[0].len);  // in place: its header goes with it
  EXPECT_EQ(read_peer(pair.peer), frame);
  Bytes scratch = packet(5, 90);
  q.send_copy(scratch.data(), static_cast<uint32_t>(scratch.size()));
  Bytes want(10, 0);
  want.insert(want.end(), scratch.begin(), scratch.end());
  EXPECT_EQ(read_peer(pair.peer), want);
  EXPECT_EQ(q.stats().tx_packets, 2u);
}

TEST(SyscallQueue, AWriteTheKernelRefusesIsCountedAndSaysWhyInDescribe) {
  Pair pair;
  xlatd::SyscallQueue q(pair.queue_end, 1500, false, 4, "io_uring setup failed: Function not implemented");
  ::shutdown(pair.peer, SHUT_RD);
  Bytes a = packet(6, 40);
  q.send_copy(a.data(), static_cast<uint32_t>(a.size()));
  EXPECT_EQ(q.stats().tx_errors, 1u);
  EXPECT_EQ(q.stats().tx_packets, 0u);
  EXPECT_NE(q.describe().find("no io_uring: io_uring setup failed: Function not implemented"), std::string::npos)
      << q.describe();
}

}  // namespace
