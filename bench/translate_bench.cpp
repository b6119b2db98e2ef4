// Packets per second through the translation core on one core: 64-byte UDP, 1400-byte
// TCP, ICMP echo and an ICMP error, each direction. Each iteration restores the bytes
// the previous one rewrote in place (the first 64) and translates again, as a worker
// does with a fresh packet in a buffer with headroom. Run: scripts/bench.sh
#include <benchmark/benchmark.h>

#include <cstring>

#include "packet_builder.hpp"

namespace {

using namespace testpkt;

const xlat::TranslatorConfig& config() {
  static const xlat::TranslatorConfig cfg = [] {
    xlat::TranslatorConfig c;
    c.prefix = xlat::parse_ipv6_prefix("2001:db8:64::/96");
    c.own_v4 = *xlat::parse_ipv4("192.0.2.1");
    c.own_v6 = *xlat::parse_ipv6("2001:db8:1::1");
    return c;
  }();
  return cfg;
}

V4 v4() {
  V4 h;
  h.src = "198.51.100.7";
  h.dst = "203.0.113.9";
  return h;
}

V6 v6() {
  V6 h;
  h.src = "2001:db8:64::cb00:7109";  // 203.0.113.9
  h.dst = "2001:db8:64::c633:6407";  // 198.51.100.7
  return h;
}

void run(benchmark::State& state, const Bytes& pkt) {
  constexpr uint32_t kHeadroom = 64;
  std::vector<uint8_t> buf(kHeadroom + pkt.size());
  std::vector<uint8_t> scratch(xlat::kScratchSize);
  std::memcpy(buf.data() + kHeadroom, pkt.data(), pkt.size());
  const size_t restore = std::min<size_t>(pkt.size(), 64);
  xlat::Translator t(config());
  xlat::Output out(scratch);
  for (auto _ : state) {
    std::memcpy(buf.data() + kHeadroom, pkt.data(), restore);
    t.translate({buf.data() + kHeadroom, static_cast<uint32_t>(pkt.size()), kHeadroom}, out);
    benchmark::DoNotOptimize(out.pkts[0].data);
    benchmark::ClobberMemory();
  }
  if (out.verdict != xlat::Verdict::Forward) state.SkipWithError("packet was not translated");
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(pkt.size()));
}

// 4 → 6
void BM_4to6_Udp64(benchmark::State& s) { run(s, udp4(v4(), 1000, 2000, pattern(64 - 28))); }
void BM_4to6_Tcp1400(benchmark::State& s) { run(s, tcp4(v4(), 1000, 80, pattern(1400 - 40))); }
void BM_4to6_IcmpEcho(benchmark::State& s) { run(s, icmp4(v4(), 8, 0, 0x00010001, pattern(56))); }
void BM_4to6_IcmpError(benchmark::State& s) {
  V4 inner = v4();
  std::swap(inner.src, inner.dst);
  run(s, icmp4(v4(), 3, 3, 0, udp4(inner, 2000, 1000, pattern(64))));
}

// 6 → 4
void BM_6to4_Udp64(benchmark::State& s) { run(s, udp6(v6(), 1000, 2000, pattern(64 - 48))); }
void BM_6to4_Tcp1400(benchmark::State& s) { run(s, tcp6(v6(), 1000, 80, pattern(1400 - 60))); }
void BM_6to4_IcmpEcho(benchmark::State& s) { run(s, icmp6(v6(), 128, 0, 0x00010001, pattern(56))); }
void BM_6to4_IcmpError(benchmark::State& s) {
  V6 inner = v6();
  std::swap(inner.src, inner.dst);
  run(s, icmp6(v6(), 1, 4, 0, udp6(inner, 2000, 1000, pattern(64))));
}

BENCHMARK(BM_4to6_Udp64);
BENCHMARK(BM_4to6_Tcp1400);
BENCHMARK(BM_4to6_IcmpEcho);
BENCHMARK(BM_4to6_IcmpError);
BENCHMARK(BM_6to4_Udp64);
BENCHMARK(BM_6to4_Tcp1400);
BENCHMARK(BM_6to4_IcmpEcho);
BENCHMARK(BM_6to4_IcmpError);

}  // namespace

BENCHMARK_MAIN();
