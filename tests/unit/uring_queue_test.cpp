// UringQueue on a real io_uring, over a SOCK_SEQPACKET socket pair instead of a TUN: the
// pair keeps packet boundaries, is pollable and supports non-blocking reads, as a TUN
// queue does. Both ways of reading are run: multishot into a provided-buffer ring (the
// default where the kernel has it) and single reads.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>
#include <string>
#include <vector>

#include "io/uring_queue.hpp"

namespace {

using Bytes = std::vector<uint8_t>;

struct Pair {
  int queue_end = -1;  // handed to the UringQueue
  int peer = -1;       // the test writes "kernel" packets here and reads what was sent
  Pair() {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0) {
      queue_end = sv[0];
      peer = sv[1];
      int big = 4 << 20;
      ::setsockopt(peer, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
      ::setsockopt(queue_end, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
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
  b[1] = static_cast<uint8_t>(n >> 8);
  return b;
}

std::unique_ptr<xlatd::UringQueue> make(int fd, const std::string& read, bool vnet = false, unsigned reads = 64) {
  xlatd::UringQueue::Options o;
  o.read = read;
  o.reads = reads;
  std::string error;
  auto q = xlatd::UringQueue::create(fd, 1500, vnet, o, error);
  EXPECT_TRUE(q) << error;
  return q;
}

// Receives until `want` packets came or a few empty rounds passed; echoes each back.
std::vector<Bytes> receive_all(xlatd::UringQueue& q, size_t want, bool echo) {
  std::vector<Bytes> got;
  int idle = 0;
  while (got.size() < want && idle < 20) {
    auto pkts = q.receive(50);
    if (pkts.empty()) ++idle;
    for (auto& p : pkts) {
      got.emplace_back(p.data, p.data + p.len);
      EXPECT_GE(p.headroom, xlatd::kQueueHeadroom);
      if (echo) q.send(p.data, p.len);
    }
  }
  q.flush();
  return got;
}

class UringQueueReads : public ::testing::TestWithParam<std::string> {};

TEST_P(UringQueueReads, PacketsArriveIntactAndInOrderAndGoOutIntact) {
  Pair pair;
  ASSERT_GE(pair.peer, 0);
  auto q = make(pair.queue_end, GetParam());
  ASSERT_TRUE(q);
  if (GetParam() == "multishot") {
    // Kernel 6.7+ has it; this project's machine runs 6.18. Older kernels fall back.
    EXPECT_TRUE(q->multishot()) << q->describe();
  } else {
    EXPECT_FALSE(q->multishot());
  }
  std::vector<Bytes> sent;
  for (uint32_t i = 0; i < 40; ++i) {
    sent.push_back(packet(i, 20 + (i * 37) % 1400));
    ASSERT_EQ(::write(pair.peer, sent.back().data(), sent.back().size()), static_cast<ssize_t>(sent.back().size()));
  }
  auto got = receive_all(*q, sent.size(), true);
  ASSERT_EQ(got.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(got[i], sent[i]) << "packet " << i;
  // What was sent back arrives at the peer byte for byte, in order.
  for (size_t i = 0; i < sent.size(); ++i) {
    Bytes back(2048);
    ssize_t n = ::read(pair.peer, back.data(), back.size());
    ASSERT_EQ(n, static_cast<ssize_t>(sent[i].size())) << "echo " << i;
    back.resize(static_cast<size_t>(n));
    EXPECT_EQ(back, sent[i]);
  }
  EXPECT_EQ(q->stats().rx_packets, sent.size());
  EXPECT_EQ(q->stats().tx_packets, sent.size());
  EXPECT_EQ(q->stats().rx_errors, 0u);
}

// More packets than there are buffers arrive at once: the multishot read runs out
// (ENOBUFS ends it), and is re-armed once the worker hands the buffers back. Nothing is
// lost and nothing is reordered; single reads go through the same.
TEST_P(UringQueueReads, MorePacketsThanBuffersAllArrive) {
  Pair pair;
  ASSERT_GE(pair.peer, 0);
  auto q = make(pair.queue_end, GetParam(), false, 8);  // 16 receive buffers
  ASSERT_TRUE(q);
  std::vector<Bytes> sent;
  for (uint32_t i = 0; i < 300; ++i) {
    sent.push_back(packet(i, 64));
    ASSERT_EQ(::write(pair.peer, sent.back().data(), 64), 64);
  }
  auto got = receive_all(*q, sent.size(), false);
  ASSERT_EQ(got.size(), sent.size());
  for (size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(got[i], sent[i]) << "packet " << i;
  EXPECT_EQ(q->stats().rx_errors, 0u);
}

// Returns once thread `tid` of this process sleeps in the kernel (state S in its
// /proc stat line): here, the queue's wait for packets.
void wait_until_sleeping(pid_t tid) {
  const std::string path = "/proc/self/task/" + std::to_string(tid) + "/stat";
  for (;;) {
    std::ifstream f(path);
    std::string line;
    std::getline(f, line);
    const auto end = line.rfind(") ");  // the name in parentheses may hold anything
    if (end != std::string::npos && end + 2 < line.size() && line[end + 2] == 'S') return;
    std::this_thread::yield();
  }
}

// A round is one system call even when the previous round's writes go out in it: their
// completions (a TUN or socket write completes during the submit) must not end the
// wait for packets. The packet comes once the wait has begun.
TEST_P(UringQueueReads, OneSystemCallPerRoundWithWritesPending) {
  Pair pair;
  ASSERT_GE(pair.peer, 0);
  auto q = make(pair.queue_end, GetParam());
  ASSERT_TRUE(q);
  Bytes p = packet(1, 100);
  const pid_t receiver = static_cast<pid_t>(::syscall(SYS_gettid));
  for (int round = 0; round < 10; ++round) {
    std::thread late([&] {
      wait_until_sleeping(receiver);
      ASSERT_EQ(::write(pair.peer, p.data(), p.size()), 100);
    });
    uint64_t calls = q->stats().syscalls;
    auto pkts = q->receive(2000);
    late.join();
    ASSERT_EQ(pkts.size(), 1u) << "round " << round;
    EXPECT_EQ(q->stats().syscalls - calls, 1u) << "round " << round;
    q->send(pkts[0].data, pkts[0].len);  // goes out with the next receive()
  }
  q->flush();
  Bytes back(200);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(::read(pair.peer, back.data(), back.size()), 100) << i;
}

// Every receive buffer sent back at once (a router echoing a full batch) leaves no
// buffer to read into until those writes complete. The next round must still find the
// packets waiting: not sleep its whole timeout for a read that was never armed.
TEST_P(UringQueueReads, AWholeBatchSentBackDoesNotStallTheNextRound) {
  Pair pair;
  ASSERT_GE(pair.peer, 0);
  auto q = make(pair.queue_end, GetParam(), false, 4);  // 8 receive buffers
  ASSERT_TRUE(q);
  for (uint32_t i = 0; i < 40; ++i) ASSERT_EQ(::write(pair.peer, packet(i, 64).data(), 64), 64);
  size_t got = 0;
  for (int round = 0; round < 12 && got < 40; ++round) {
    auto pkts = q->receive(3000);
    ASSERT_FALSE(pkts.empty()) << "round " << round << ": " << got << " of 40 read, the rest waiting";
    for (auto& p : pkts) q->send(p.data, p.len);  // every buffer of the batch now in a write
    got += pkts.size();
  }
  EXPECT_EQ(got, 40u);
  q->flush();
}

INSTANTIATE_TEST_SUITE_P(ReadModes, UringQueueReads, ::testing::Values("multishot", "single"));

// With IFF_VNET_HDR every packet carries a 10-byte virtio-net header in front: it lands
// just before Packet::data, and the packet handed out excludes it.
TEST(UringQueue, VnetHeaderLandsInFrontOfThePacket) {
  Pair pair;
  ASSERT_GE(pair.peer, 0);
  auto q = make(pair.queue_end, "multishot", true);
  ASSERT_TRUE(q);
  Bytes wire(10 + 300);
  for (size_t i = 0; i < 10; ++i) wire[i] = static_cast<uint8_t>(0xa0 + i);
  Bytes body = packet(5, 300);
  std::copy(body.begin(), body.end(), wire.begin() + 10);
  ASSERT_EQ(::write(pair.peer, wire.data(), wire.size()), static_cast<ssize_t>(wire.size()));
  std::vector<Bytes> got;
  for (int i = 0; i < 20 && got.empty(); ++i) {
    for (auto& p : q->receive(50)) {
      got.emplace_back(p.data, p.data + p.len);
      EXPECT_EQ(std::memcmp(p.data - 10, wire.data(), 10), 0);
    }
  }
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], body);
}

// A copy (a packet the translator built in its scratch buffer) goes out behind an empty
// virtio-net header that the queue writes: no offload state is claimed for it, whatever
// the copy slot held before. The worker relies on this (tests/unit/fake_queue.hpp).
TEST(UringQueue, ACopyGoesOutBehindAnEmptyVnetHeader) {
  Pair pair;
  ASSERT_GE(pair.peer, 0);
  auto q = make(pair.queue_end, "multishot", true);
  ASSERT_TRUE(q);
  for (int round = 0; round < 40; ++round) {  // every copy slot, more than once
    Bytes body = packet(static_cast<uint32_t>(round), 200);
    Bytes scratch(10 + body.size(), 0xee);  // what lies before it is not a header
    std::copy(body.begin(), body.end(), scratch.begin() + 10);
    q->send_copy(scratch.data() + 10, static_cast<uint32_t>(body.size()));
    q->flush();
    Bytes wire(2048);
    ssize_t n = ::read(pair.peer, wire.data(), wire.size());
    ASSERT_EQ(n, static_cast<ssize_t>(10 + body.size())) << "round " << round;
    EXPECT_EQ(Bytes(wire.begin(), wire.begin() + 10), Bytes(10, 0)) << "round " << round;
    EXPECT_EQ(Bytes(wire.begin() + 10, wire.begin() + n), body) << "round " << round;
  }
}

}  // namespace
