// A worker over the daemon's queue on a device in memory: batches in, translated packets
// out, counters published,
// configuration swapped between batches.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "runtime/worker.hpp"
#include "io/offload.hpp"
#include "fake_queue.hpp"
#include "packet_builder.hpp"

namespace {

using namespace testpkt;

std::shared_ptr<xlatd::SharedConfig> shared(xlat::TranslatorConfig t) {
  auto s = std::make_shared<xlatd::SharedConfig>();
  s->translator = std::move(t);
  return s;
}

// `xlatd stats` read just after some traffic must show it: a worker that holds counts
// it has not published waits at most kStatsLagMs, and its idle round publishes them.
TEST(Worker, CountsReachStatsWithinTheLagAfterABurst) {
  xlatd::Runtime rt;
  rt.publish(shared(jool_like_config()));
  FakeQueue q;
  V4 h4;
  q.dev.incoming.push_back(udp4(h4, 1, 2, pattern(20)));
  xlatd::Worker w(0, q, rt);
  w.run_once(200);  // the first round of a burst (1 of every 16 publishes anyway)
  EXPECT_EQ(q.dev.last_timeout, 200);
  q.dev.incoming.push_back(udp4(h4, 1, 2, pattern(20)));
  EXPECT_EQ(w.run_once(200), 1u);
  // Published already only if kStatsLagMs passed since the first round (a slow machine).
  const bool published = w.stats().xlat.translated_4to6 == 2;
  EXPECT_EQ(w.run_once(200), 0u);
  if (!published) {
    EXPECT_LE(q.dev.last_timeout, xlatd::Worker::kStatsLagMs);  // no sleep on unpublished counts
  }
  EXPECT_EQ(w.stats().xlat.translated_4to6, 2u);
  w.run_once(200);
  EXPECT_EQ(q.dev.last_timeout, 200);  // nothing left to publish: the long wait again
}

TEST(Worker, TranslatesABatchAndCountsEveryOutcome) {
  xlatd::Runtime rt;
  rt.publish(shared(jool_like_config()));
  FakeQueue q;
  V4 h4;
  V6 h6;
  q.dev.incoming.push_back(udp4(h4, 1, 2, pattern(20)));      // translated 4→6
  q.dev.incoming.push_back(icmp6(h6, 128, 0, 7, pattern(8)));  // translated 6→4
  V4 expiring = h4;
  expiring.ttl = 1;
  q.dev.incoming.push_back(udp4(expiring, 1, 2, pattern(8)));  // answered: Time Exceeded
  q.dev.incoming.push_back(Bytes{0x45, 0, 0});                 // dropped: truncated
  xlatd::Worker w(0, q, rt);
  EXPECT_EQ(w.run_once(0), 4u);
  EXPECT_EQ(w.run_once(0), 0u);  // publishes counters when idle
  ASSERT_EQ(q.dev.sent.size(), 3u);
  EXPECT_EQ(q.dev.sent[0][0] >> 4, 6);
  EXPECT_EQ(q.dev.sent[1][0] >> 4, 4);
  EXPECT_EQ(q.dev.sent[2][20], 11);  // the ICMPv4 error
  EXPECT_EQ(q.dev.copies, 1u);       // only the error was built in scratch
  auto s = w.stats();
  EXPECT_EQ(s.xlat.translated_4to6, 1u);
  EXPECT_EQ(s.xlat.translated_6to4, 1u);
  EXPECT_EQ(s.xlat.icmp_errors_sent, 1u);
  EXPECT_EQ(s.xlat.drops[static_cast<unsigned>(xlat::DropReason::Ipv4Truncated)], 1u);
  EXPECT_EQ(s.io.rx_packets, 4u);
  EXPECT_EQ(s.io.tx_packets, 3u);
}

// EAM only, with maps for both the EAM host and 192.0.2.0/24 (what a reload adds).
xlat::TranslatorConfig maps_covering_192_0_2() {
  auto c = jool_like_config();
  c.prefix.reset();
  c.eam = xlat::EamTable({{*xlat::parse_ipv4_prefix("1.0.0.0/24"), *xlat::parse_ipv6_prefix("2001:db8:3::/120")},
                          {*xlat::parse_ipv4_prefix("192.0.2.0/24"), *xlat::parse_ipv6_prefix("2001:db8:4::/120")}});
  return c;
}

TEST(Worker, PicksUpANewConfigurationBetweenBatchesAndKeepsCounters) {
  xlatd::Runtime rt;
  auto cfg = jool_like_config();
  cfg.prefix.reset();  // EAM only: 192.0.2.33 has no mapping yet
  rt.publish(shared(cfg));
  FakeQueue q;
  V4 h;
  h.src = "1.0.0.5";  // EAM host
  xlatd::Worker w(0, q, rt);
  q.dev.incoming.push_back(udp4(h, 1, 2, pattern(8)));
  w.run_once(0);
  ASSERT_EQ(q.dev.sent.size(), 1u);
  EXPECT_EQ(q.dev.sent[0][20], 3);  // Destination Unreachable: no mapping
  // SIGHUP: the main thread publishes maps that cover it.
  rt.publish(shared(maps_covering_192_0_2()));
  q.dev.incoming.push_back(udp4(h, 1, 2, pattern(8)));
  w.run_once(0);
  w.run_once(0);
  ASSERT_EQ(q.dev.sent.size(), 2u);
  EXPECT_EQ(q.dev.sent[1][0] >> 4, 6);
  auto s = w.stats();
  EXPECT_EQ(s.xlat.translated_4to6, 1u);
  EXPECT_EQ(s.xlat.drops[static_cast<unsigned>(xlat::DropReason::Ipv4DestUnmapped)], 1u);  // carried over
}

TEST(Worker, AConfigurationPublishedWhileWaitingAppliesToThePacketsThatWokeIt) {
  // The CLAT publishes its prefix and then routes IPv4 into the TUN: the first packet
  // must meet the new configuration, not the one the worker went to sleep with.
  xlatd::Runtime rt;
  auto cfg = jool_like_config();
  cfg.prefix.reset();
  rt.publish(shared(cfg));
  FakeQueue q;
  V4 h;
  h.src = "1.0.0.5";
  xlatd::Worker w(0, q, rt);
  q.dev.while_waiting = [&] {
    rt.publish(shared(maps_covering_192_0_2()));
    q.dev.incoming.push_back(udp4(h, 1, 2, pattern(8)));
    q.dev.while_waiting = nullptr;
  };
  EXPECT_EQ(w.run_once(0), 1u);
  ASSERT_EQ(q.dev.sent.size(), 1u);
  EXPECT_EQ(q.dev.sent[0][0] >> 4, 6);  // translated, not "no mapping"
  EXPECT_EQ(w.stats().xlat.drops[static_cast<unsigned>(xlat::DropReason::Ipv4DestUnmapped)], 0u);
}

TEST(Worker, FragmentsAreCopiedOutOfScratch) {
  xlatd::Runtime rt;
  rt.publish(shared(jool_like_config()));
  FakeQueue q;
  V4 h;
  h.df = false;
  q.dev.incoming.push_back(udp4(h, 1, 2, pattern(2000)));
  xlatd::Worker w(0, q, rt);
  w.run_once(0);
  ASSERT_EQ(q.dev.sent.size(), 2u);
  EXPECT_EQ(q.dev.copies, 2u);
  EXPECT_EQ(q.dev.sent[0].size(), 1280u);
}

TEST(WorkerStats, OneCounterListServesPublishReadSumAndNames) {
  // Every field of WorkerStats is on the list exactly once: give each a distinct value
  // through the list, then check the struct field by field and the sum.
  xlatd::WorkerStats a;
  uint64_t next = 1;
  std::set<std::string> names;
  xlatd::for_each_counter(a, [&](const xlatd::CounterInfo& c, uint64_t& v) {
    v = next++;
    names.insert(c.name);
  });
  for (auto& d : a.xlat.drops) d = next++;
  EXPECT_EQ(names.size(), xlatd::kScalarCounters);
  std::set<uint64_t> seen = {a.io.rx_packets, a.io.tx_packets, a.io.rx_errors, a.io.tx_errors, a.io.rounds,
                             a.io.syscalls, a.xlat.translated_4to6, a.xlat.translated_6to4, a.xlat.fragments_made,
                             a.xlat.icmp_errors_sent, a.xlat.icmp_errors_rate_limited, a.xlat.echo_replies_sent,
                             a.io.gso_segmented};
  EXPECT_EQ(seen.size(), xlatd::kScalarCounters);
  EXPECT_EQ(*seen.begin(), 1u);
  xlatd::WorkerStats total = a;
  xlatd::add_stats(total, a);
  EXPECT_EQ(total.io.syscalls, 2 * a.io.syscalls);
  EXPECT_EQ(total.xlat.echo_replies_sent, 2 * a.xlat.echo_replies_sent);
  EXPECT_EQ(total.xlat.drops.back(), 2 * a.xlat.drops.back());
}

// A worker over a fake TUN opened with IFF_VNET_HDR: each packet goes in behind a
// virtio-net header, and what went out is in q.dev.sent / q.dev.sent_vnet.
class WorkerOffload : public ::testing::Test {
 protected:
  void SetUp() override {
    rt.publish(shared(jool_like_config()));
    q.dev.vnet_mode = true;
  }
  // Reads `pkt` with header `vh` in one round; a second, idle round publishes counters.
  xlatd::WorkerStats run(const xlatd::VnetHeader& vh, const Bytes& pkt) {
    Bytes b(10);
    xlatd::write_vnet(b.data(), vh);
    b.insert(b.end(), pkt.begin(), pkt.end());
    q.dev.incoming.push_back(b);
    xlatd::Worker w(0, q, rt);
    w.run_once(0);
    w.run_once(0);
    return w.stats();
  }
  xlatd::Runtime rt;
  FakeQueue q;
};

// USO: a UDP super-packet whose datagrams fit once translated crosses as one unit, its
// virtio-net header carried over (UDP_L4, same segment size, checksum start moved).
TEST_F(WorkerOffload, UdpSuperPacketThatFitsCrossesAsOneUnit) {
  V4 h;
  auto pkt = udp4(h, 4433, 443, pattern(3000));
  auto s = run({1, 5, 28, 1200, 20, 6}, pkt);
  ASSERT_EQ(q.dev.sent.size(), 1u);
  EXPECT_EQ(q.dev.sent[0].size(), pkt.size() + 20);
  auto oh = xlatd::read_vnet(q.dev.sent_vnet[0].data());
  EXPECT_EQ(oh.gso_type, 5);
  EXPECT_EQ(oh.gso_size, 1200);
  EXPECT_EQ(oh.csum_start, 40);
  EXPECT_EQ(s.io.gso_segmented, 0u);
}

// USO: 1472-byte datagrams are 1520 bytes as IPv6, over the 1500 MTU, and a datagram
// cannot be re-cut. The super-packet is segmented in software and each datagram is
// translated on its own: without DF, RFC 7915 §4 fragments each (at 1280, the lowest
// IPv6 MTU); the short last one goes whole. Nothing keeps an offload header.
TEST_F(WorkerOffload, UdpSuperPacketThatCannotFitIsSegmentedAndEachDatagramTranslated) {
  V4 h;
  h.df = false;
  Bytes payload = pattern(1472 * 2 + 500, 5);
  auto s = run({1, 5, 28, 1472, 20, 6}, udp4(h, 4433, 443, payload));
  ASSERT_EQ(q.dev.sent.size(), 5u);  // 2 + 2 fragments, then the last datagram whole
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(q.dev.sent[i][6], 44) << "fragment header, packet " << i;
    EXPECT_LE(q.dev.sent[i].size(), 1280u);
  }
  const Bytes& last = q.dev.sent[4];
  ASSERT_EQ(last.size(), 40u + 8 + 500);
  EXPECT_EQ(last[6], 17);
  EXPECT_TRUE(l4_checksum_ok(last));
  EXPECT_EQ(Bytes(last.begin() + 48, last.end()), Bytes(payload.end() - 500, payload.end()));
  // Each datagram was translated in the segment buffer and went out as a copy, which
  // the queue sends behind an empty header (UringQueue.ACopyGoesOutBehindAnEmptyVnetHeader);
  // nothing went out with a header the worker wrote (issue 15: the fake used to write
  // the zeros this asserted).
  EXPECT_EQ(q.dev.copies, 5u);
  for (const auto& vh : q.dev.sent_vnet) EXPECT_TRUE(vh.empty());
  EXPECT_EQ(s.io.gso_segmented, 1u);
  EXPECT_EQ(s.xlat.translated_4to6, 3u);
  EXPECT_EQ(s.xlat.fragments_made, 4u);
}

// With DF the same datagrams are answered, each, with Fragmentation Needed (RFC 7915
// §4: MTU 1480 = 1500 - 20), as they would be one by one without offloads.
TEST_F(WorkerOffload, UdpSuperPacketWithDfGetsFragmentationNeededPerDatagram) {
  V4 h;
  h.df = true;
  auto s = run({1, 5, 28, 1472, 20, 6}, udp4(h, 4433, 443, pattern(1472 * 2)));
  EXPECT_EQ(s.xlat.drops[static_cast<unsigned>(xlat::DropReason::Ipv4FragNeeded)], 2u);
  EXPECT_EQ(s.io.gso_segmented, 1u);
  ASSERT_EQ(q.dev.sent.size(), 2u);  // the two errors, one per datagram
  for (const Bytes& e : q.dev.sent) {
    EXPECT_EQ(e[9], 1);                 // ICMP
    EXPECT_EQ(e[20], 3);                // Destination Unreachable
    EXPECT_EQ(e[21], 4);                // Fragmentation Needed
    EXPECT_EQ(be16(e, 20 + 6), 1480);   // next-hop MTU
  }
}

// A super-packet the queue can neither carry across nor cut (here a UDP_L4 header on a
// TCP packet, whose datagrams would not fit): dropped, counted under its own reason.
TEST_F(WorkerOffload, ASuperPacketThatCannotCrossIsDroppedAndCounted) {
  V4 h;
  auto s = run({1, 5, 40, 1472, 20, 16}, tcp4(h, 4433, 443, pattern(3000)));
  EXPECT_TRUE(q.dev.sent.empty());
  EXPECT_EQ(s.xlat.drops[static_cast<unsigned>(xlat::DropReason::GsoUntranslatable)], 1u);
  EXPECT_EQ(s.io.gso_segmented, 0u);
}

// Without virtio-net headers the queue hands the device's packets over as they are, and
// sends what was translated in place from where it lies (no copy).
TEST(PacketQueue, PlainPacketsPassThroughInPlace) {
  xlatd::Runtime rt;
  rt.publish(shared(jool_like_config()));
  FakeQueue q;
  V6 h6;
  q.dev.incoming.push_back(icmp6(h6, 128, 0, 7, pattern(8)));
  xlatd::Worker w(0, q, rt);
  EXPECT_EQ(w.run_once(0), 1u);
  ASSERT_EQ(q.dev.sent.size(), 1u);
  EXPECT_EQ(q.dev.copies, 0u);
  EXPECT_EQ(q.dev.sent[0][0] >> 4, 4);
}

}  // namespace

// A replaced configuration is freed by the main thread's reap(), once no worker holds
// it; never by the worker that lets it go last.
TEST(Runtime, AReplacedConfigurationIsFreedByReapOnceNoWorkerHoldsIt) {
  xlatd::Runtime rt;
  auto first = std::make_shared<xlatd::SharedConfig>();
  std::weak_ptr<const xlatd::SharedConfig> watch = first;
  rt.publish(std::move(first));
  auto held = rt.current();  // a worker translating with it
  rt.publish(std::make_shared<xlatd::SharedConfig>());
  EXPECT_EQ(rt.reap(), 1u);
  held.reset();              // the worker adopts the new one: nothing is freed on its thread
  EXPECT_FALSE(watch.expired());
  EXPECT_EQ(rt.reap(), 0u);
  EXPECT_TRUE(watch.expired());
}
