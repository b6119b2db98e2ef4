// The cost of a packet as the tables grow (issue 16): 64-byte UDP through the core with
// 0 ... 10^5 static maps (one IPv4 address to one IPv6 address each, the measured
// host's map given last), and through a dynamic pool of 2^20 addresses half in use.
// Both directions; "hit": the IPv6 host is the map's (or the pool's), "miss": every
// address goes through the RFC 6052 prefix after missing the whole table.
// Run: scripts/bench.sh --tables (a Release build; the figures are per packet).
#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>

#include "plat/dynamic_pool.hpp"
#include "packet_builder.hpp"

namespace {

using namespace testpkt;

// The IPv4 sides spread over 11.0.0.0 - 203.255.255.255 (public addresses of servers
// here and there), so that the remote servers' addresses fall inside their span and
// every miss probes the table; the IPv6 sides in one /104 of the operator's.
xlat::Ipv4Addr host4(uint32_t i, uint32_t n) {
  const uint32_t stride = 0xc1000000u / (n ? n : 1);
  return 0x0b000000u + i * stride + 3;  // .3 off the stride: never a test server's address
}
xlat::Ipv6Addr host6(uint32_t i) {
  xlat::Ipv6Addr a = *xlat::parse_ipv6("2001:db8:ff::");
  const uint32_t v = i + 1;
  a.b[13] = static_cast<uint8_t>(v >> 16);
  a.b[14] = static_cast<uint8_t>(v >> 8);
  a.b[15] = static_cast<uint8_t>(v);
  return a;
}

xlat::TranslatorConfig config(uint32_t maps) {
  xlat::TranslatorConfig c;
  c.prefix = xlat::parse_ipv6_prefix("2001:db8:64::/96");
  c.own_v4 = *xlat::parse_ipv4("192.0.2.1");
  c.own_v6 = *xlat::parse_ipv6("2001:db8:1::1");
  std::vector<xlat::EamEntry> e;
  e.reserve(maps);
  for (uint32_t i = 0; i < maps; ++i) e.push_back({{host4(i, maps), 32}, {host6(i), 128}});
  c.eam = xlat::EamTable(std::move(e));
  return c;
}

void run(benchmark::State& state, const xlat::TranslatorConfig& cfg, xlat::DynamicPool* pool, const Bytes& pkt) {
  constexpr uint32_t kHeadroom = 64;
  std::vector<uint8_t> buf(kHeadroom + pkt.size());
  std::vector<uint8_t> scratch(xlat::kScratchSize);
  std::memcpy(buf.data() + kHeadroom, pkt.data(), pkt.size());
  xlat::Translator t(cfg, pool);
  xlat::Output out(scratch);
  for (auto _ : state) {
    std::memcpy(buf.data() + kHeadroom, pkt.data(), pkt.size());
    t.translate({buf.data() + kHeadroom, static_cast<uint32_t>(pkt.size()), kHeadroom}, out);
    benchmark::DoNotOptimize(out.pkts[0].data);
    benchmark::ClobberMemory();
  }
  if (out.verdict != xlat::Verdict::Forward) state.SkipWithError("packet was not translated");
  state.SetItemsProcessed(state.iterations());
}

// The remote IPv4 server, through the prefix.
constexpr const char* kServer4 = "203.0.113.9";
constexpr const char* kServer6 = "2001:db8:64::cb00:7109";

void BM_Maps_6to4(benchmark::State& s) {
  const auto n = static_cast<uint32_t>(s.range(0));
  const bool hit = s.range(1) != 0;
  const auto cfg = config(n);
  V6 h;
  h.src = hit && n ? xlat::to_string(host6(n - 1)) : "2001:db8:64::c633:6407";
  h.dst = kServer6;
  run(s, cfg, nullptr, udp6(h, 1000, 2000, pattern(64 - 48)));
}

void BM_Maps_4to6(benchmark::State& s) {
  const auto n = static_cast<uint32_t>(s.range(0));
  const bool hit = s.range(1) != 0;
  const auto cfg = config(n);
  V4 h;
  h.src = kServer4;
  h.dst = hit && n ? xlat::to_string(host4(n - 1, n)) : "198.51.100.7";
  run(s, cfg, nullptr, udp4(h, 2000, 1000, pattern(64 - 28)));
}

// 2^20 addresses (a /12), every other one in use by a host.
struct Pool {
  std::unique_ptr<xlatd::DynamicPoolImpl> pool;
  xlat::Ipv6Addr host;
  xlat::Ipv4Addr addr = 0;
};

Pool& pool_half_used() {
  static Pool p = [] {
    Pool r;
    xlatd::DynamicPoolImpl::Options o;
    o.range = *xlat::parse_ipv4_prefix("100.64.0.0/12");
    r.pool = std::make_unique<xlatd::DynamicPoolImpl>(o, 1'700'000'000);
    xlat::Ipv6Addr h = *xlat::parse_ipv6("2001:db8:100::");
    for (uint32_t i = 0; i < (1u << 19); ++i) {
      h.b[12] = static_cast<uint8_t>(i >> 24);
      h.b[13] = static_cast<uint8_t>(i >> 16);
      h.b[14] = static_cast<uint8_t>(i >> 8);
      h.b[15] = static_cast<uint8_t>(i);
      xlat::Ipv4Addr a;
      if (r.pool->lookup6(h, a, true) != xlat::DynamicPool::Result::Found) std::abort();
      r.host = h;
      r.addr = a;
    }
    return r;
  }();
  return p;
}

void BM_Pool_6to4(benchmark::State& s) {
  Pool& p = pool_half_used();
  static const auto cfg = config(0);
  V6 h;
  h.src = xlat::to_string(p.host);
  h.dst = kServer6;
  run(s, cfg, p.pool.get(), udp6(h, 1000, 2000, pattern(64 - 48)));
}

void BM_Pool_4to6(benchmark::State& s) {
  Pool& p = pool_half_used();
  static const auto cfg = config(0);
  V4 h;
  h.src = kServer4;
  h.dst = xlat::to_string(p.addr);
  run(s, cfg, p.pool.get(), udp4(h, 2000, 1000, pattern(64 - 28)));
}

void sizes(benchmark::internal::Benchmark* b) {
  for (int hit : {1, 0}) {
    for (int n : {0, 10, 1000, 10000, 100000}) b->Args({n, hit});
  }
  b->ArgNames({"maps", "hit"});
}

BENCHMARK(BM_Maps_6to4)->Apply(sizes);
BENCHMARK(BM_Maps_4to6)->Apply(sizes);
BENCHMARK(BM_Pool_6to4);
BENCHMARK(BM_Pool_4to6);

}  // namespace

BENCHMARK_MAIN();
