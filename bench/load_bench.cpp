// What the daemon does off the packet path that grows with the tables (issue 14,
// finding 8; issue 16): reading a tayga.conf with N static maps (its overlap checks
// included), merging a map-file of N entries at start or SIGHUP, and loading a
// dynamic.map of N lines. Each must be n log n or better: the time per entry stays
// flat from 10^3 to 10^5 (2^20 for dynamic.map). Run: build/bench/load_bench.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "plat/plat_config.hpp"
#include "plat/map_file.hpp"
#include "plat/dynamic_pool.hpp"

namespace {

// map 10.a.b.c 2001:db8:ff::a:b:c, one per host, as an SIIT-DC operator writes them.
std::string map_lines(int n, int first = 0) {
  std::ostringstream o;
  for (int i = first; i < first + n; ++i) {
    const int a = (i >> 16) & 0xff, b = (i >> 8) & 0xff, c = i & 0xff;
    o << "map 10." << a << "." << b << "." << c << " 2001:db8:ff::" << a << ":" << b << ":" << c << "\n";
  }
  return o.str();
}

const std::string kBase = "tun-device nat64\nipv4-addr 192.168.255.1\nprefix 2001:db8:64::/96\n";

void BM_ConfigWithStaticMaps(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string text = kBase + map_lines(n);
  for (auto _ : state) {
    xlatd::PlatLoad r = xlatd::parse_plat_text(text, "bench.conf", false);
    if (!r.config || r.config->maps.size() != static_cast<size_t>(n)) state.SkipWithError("config refused");
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_ConfigWithStaticMaps)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_MergeMapFile(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  xlatd::PlatLoad base = xlatd::parse_plat_text(kBase + map_lines(100, 1 << 20), "bench.conf", false);
  xlatd::PlatLoad file = xlatd::parse_plat_text(kBase + map_lines(n), "maps.conf", false);
  if (!base.config || !file.config) {
    state.SkipWithError("config refused");
    return;
  }
  for (auto _ : state) {
    std::vector<std::string> notes;
    auto kept = xlatd::merge_map_file(*base.config, file.config->maps, notes);
    if (kept.size() != static_cast<size_t>(n)) state.SkipWithError("entries lost");
    benchmark::DoNotOptimize(kept);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_MergeMapFile)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// A 2^20-address pool beside n static maps, whose IPv4 addresses it must leave alone.
void BM_PoolBesideStaticMaps(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  xlatd::DynamicPoolImpl::Options o;
  o.range = {0x64400000u, 12};  // 100.64.0.0/12
  for (int i = 0; i < n; ++i) o.excluded.push_back({0x64400000u + 7u * static_cast<uint32_t>(i) + 1, 32});
  for (auto _ : state) {
    xlatd::DynamicPoolImpl pool(o, 1'700'000'000);
    state.PauseTiming();
    if (pool.usage().free != (1u << 20) - 1 - static_cast<size_t>(n)) state.SkipWithError("wrong exclusions");
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_PoolBesideStaticMaps)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_LoadDynamicMap(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const int64_t now = 1'700'000'000;
  const std::string path = "/tmp/xlatd-bench-dynamic-" + std::to_string(::getpid()) + ".map";
  {
    std::ofstream f(path);
    for (int i = 0; i < n; ++i) {
      // 10.0.0.0/11 holds 2^21 addresses; entry i takes address i + 2 with its own host.
      const uint32_t v4 = 0x0a000000u + static_cast<uint32_t>(i) + 2;
      f << (v4 >> 24) << '.' << ((v4 >> 16) & 0xff) << '.' << ((v4 >> 8) & 0xff) << '.' << (v4 & 0xff)
        << "\t2001:db8:1:" << std::hex << (i >> 16) << ":" << (i & 0xffff) << std::dec << "::1\t" << now - 60 << "\n";
    }
  }
  for (auto _ : state) {
    xlatd::DynamicPoolImpl::Options o;
    o.range = {0x0a000000u, 11};
    xlatd::DynamicPoolImpl pool(o, now);
    std::vector<std::string> notes;
    pool.load(path, notes);
    state.PauseTiming();  // the check walks all 2^21 slots: not part of loading
    if (!notes.empty() || pool.usage().active != static_cast<size_t>(n)) state.SkipWithError("entries lost");
    state.ResumeTiming();
  }
  std::remove(path.c_str());
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_LoadDynamicMap)->Arg(1 << 13)->Arg(1 << 16)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
