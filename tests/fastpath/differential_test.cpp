// The fast path is the same translator: the TC program (run with BPF_PROG_TEST_RUN) and
// the C++ core on the same packets. For each, the program either passes it up unchanged
// (TC_ACT_OK) or redirects it, and then its bytes equal the core's output.
//
// One exception, stated: the Identification of a DF=0 IPv4 packet comes from each
// translator's own generator (RFC 7915 §5.1), so for those two bytes (and the header
// checksum over them) the comparison checks only that the program's header checksum is
// right and the Identification is not 0.
//
// Packets: every Jool fixture packet, and FASTPATH_PACKETS (default 200000) generated
// ones, ordinary and not (mapped, unmapped, reserved and own addresses, TTL 0-2, sizes
// around the MTUs, DF either way, zero UDP checksums), each also with random bytes of
// its header changed. Needs root (CAP_BPF); skipped (77) otherwise, a failure under CI.
#include <gtest/gtest.h>

#include <bpf/bpf.h>
#include <linux/pkt_cls.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>

#include "io/fastpath.hpp"
#include "io/offload.hpp"
#include "fake_pool.hpp"
#include "packet_builder.hpp"
#include "xlat/checksum.hpp"
#include "xlat/rfc6052.hpp"

namespace {

using testpkt::Bytes;

constexpr uint32_t kEthLen = 14;
constexpr int kMappedHosts = 8;
constexpr int kPoolHosts = 8;  // 2001:db8:1::100 ... hold 192.168.255.1 ... (dynamic pool)
const char* const kPoolRange = "192.168.255.0/24";

std::string pool_host(int i) { return "2001:db8:1::" + std::to_string(100 + i); }

// The core's pool: every pool host assigned, in order (.1, .2, ...), and no room for
// another (an unknown host is refused by the core, passed up by the program).
testpkt::FakePool full_pool() {
  testpkt::FakePool pool(*xlat::parse_ipv4_prefix(kPoolRange), kPoolHosts);
  for (int i = 0; i < kPoolHosts; ++i) {
    xlat::Ipv4Addr out;
    (void)pool.lookup6(*xlat::parse_ipv6(pool_host(i)), out, true);
  }
  return pool;
}

std::string shared_dir() {
  const char* d = std::getenv("XLAT_SHARED_DIR");
  return d != nullptr ? d : "";
}

// The prefix the generated packets use: the configuration's.
std::string g_prefix = "2001:db8:64::/96";

xlat::TranslatorConfig fastpath_config() {
  xlat::TranslatorConfig cfg;
  cfg.prefix = xlat::parse_ipv6_prefix("2001:db8:64::/96");
  cfg.own_v4 = *xlat::parse_ipv4("192.0.2.1");
  cfg.own_v6 = xlat::rfc6052_embed(*cfg.prefix, cfg.own_v4);
  std::vector<xlat::EamEntry> maps;
  for (int i = 0; i < kMappedHosts; ++i) {
    maps.push_back({*xlat::parse_ipv4_prefix("192.168.255." + std::to_string(10 + i) + "/32"),
                    *xlat::parse_ipv6_prefix("2001:db8:1::" + std::to_string(10 + i) + "/128")});
  }
  cfg.eam = xlat::EamTable(maps);
  cfg.mtu4 = 1500;
  cfg.mtu6 = 1500;
  return cfg;
}

struct Verdicts {
  uint64_t redirected = 0;
  uint64_t passed_up = 0;
  uint64_t mismatches = 0;
  uint64_t unroutable = 0;
};

class Differential : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    fp_ = xlatd::FastPath::load(why, 255).release();
    load_error_ = why;
    // The static maps sit inside the pool's range, as TAYGA allows; the pool holds the
    // pool hosts (in the core's FakePool and the program's maps alike), so its other
    // addresses are unreachable.
    if (fp_ != nullptr && !fp_->configure(cfg(), kEthLen, 1, why, xlat::parse_ipv4_prefix(kPoolRange))) {
      load_error_ = why;
      delete fp_;
      fp_ = nullptr;
    }
    for (int i = 0; fp_ != nullptr && i < kPoolHosts; ++i) {
      if (!fp_->add_pool_entry(*xlat::parse_ipv4("192.168.255." + std::to_string(1 + i)),
                               *xlat::parse_ipv6(pool_host(i)))) {
        load_error_ = "cannot add a pool entry";
        delete fp_;
        fp_ = nullptr;
      }
    }
  }
  static void TearDownTestSuite() { delete fp_; }

  void SetUp() override {
    if (fp_ == nullptr) {
      if (std::getenv("CI") != nullptr && std::string(std::getenv("CI")) == "true") {
        FAIL() << "the fast path did not load: " << load_error_;
      }
      GTEST_SKIP() << "the fast path did not load: " << load_error_;
    }
  }

  static xlat::TranslatorConfig& cfg() {
    static xlat::TranslatorConfig c = fastpath_config();
    return c;
  }

  // Switches both translators to `c` (the program's maps and settings rewritten).
  static void use(const xlat::TranslatorConfig& c) {
    cfg() = c;
    g_prefix = xlat::to_string(*c.prefix);
    std::string why;
    ASSERT_TRUE(fp_->configure(cfg(), kEthLen, 1, why, xlat::parse_ipv4_prefix(kPoolRange))) << why;
  }

  // Runs one packet through both; records a mismatch with the packet's bytes. With
  // gso_size, the packet is a super-packet (the kernel cuts it after the program): the
  // core translates it whole, as the daemon's offload path does, and the daemon's
  // per-segment rule (translate_vnet) must keep the segments as they are.
  void compare(const Bytes& pkt, Verdicts& v, uint16_t gso_size = 0) {
    const bool v6 = !pkt.empty() && (pkt[0] >> 4) == 6;
    // The kernel builds no IPv6 (IPv4) test skb shorter than its header, and routes none
    // into the TUN: such a packet never meets the program.
    if (pkt.size() < (v6 ? 40u : 20u)) {
      ++v.unroutable;
      return;
    }
    Bytes in(kEthLen, 0);
    in[12] = v6 ? 0x86 : 0x08;
    in[13] = v6 ? 0xdd : 0x00;
    in.insert(in.end(), pkt.begin(), pkt.end());
    Bytes out(in.size() + 64);
    __sk_buff ctx{}, ctx_out{};
    ctx.gso_size = gso_size;
    ctx.gso_segs = gso_size ? static_cast<uint32_t>(pkt.size() / gso_size + 1) : 0;
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in.data(), .data_out = out.data(),
                .data_size_in = static_cast<uint32_t>(in.size()),
                .data_size_out = static_cast<uint32_t>(out.size()), .ctx_in = gso_size ? &ctx : nullptr,
                .ctx_out = gso_size ? &ctx_out : nullptr, .ctx_size_in = gso_size ? uint32_t{sizeof ctx} : 0u,
                .ctx_size_out = gso_size ? uint32_t{sizeof ctx_out} : 0u, .repeat = 1);
    ASSERT_EQ(bpf_prog_test_run_opts(fp_->program_fd(), &opts), 0) << std::strerror(errno) << ": " << hex(pkt);
    if (opts.retval == TC_ACT_OK) {
      // Passed up: the daemon must see the packet exactly as it came.
      ++v.passed_up;
      out.resize(opts.data_size_out);
      if (out != in) {
        ++v.mismatches;
        ADD_FAILURE() << "passed up changed: " << hex(pkt);
      }
      return;
    }
    ASSERT_EQ(opts.retval, TC_ACT_REDIRECT) << hex(pkt);
    ++v.redirected;
    Bytes got(out.begin() + kEthLen, out.begin() + opts.data_size_out);
    testpkt::FakePool pool = full_pool();
    testpkt::Run want = testpkt::translate(cfg(), pkt, &pool, gso_size);
    if (want.verdict != xlat::Verdict::Forward || want.pkts.size() != 1) {
      ++v.mismatches;
      ADD_FAILURE() << "the fast path translated what the core does not forward ("
                    << xlat::drop_reason_name(want.reason) << "): " << hex(pkt);
      return;
    }
    Bytes expect = want.pkts[0];
    if (gso_size != 0) {
      xlatd::VnetHeader h;
      h.gso_type = (expect[0] >> 4) == 4 ? xlatd::kGsoTcpV6 : xlatd::kGsoTcpV4;  // the input's
      h.gso_size = gso_size;
      const uint32_t mtu = (expect[0] >> 4) == 4 ? cfg().mtu4 : cfg().mtu6;
      if (!xlatd::translate_vnet(h, expect.data(), static_cast<uint32_t>(expect.size()), mtu) ||
          h.gso_size != gso_size || ctx_out.gso_size != gso_size) {
        ++v.mismatches;
        ADD_FAILURE() << "segments of " << gso_size << " kept in the kernel, daemon's " << h.gso_size
                      << ", kernel's after " << ctx_out.gso_size << ": " << hex(pkt);
        return;
      }
    }
    if (got.size() >= 20 && (got[0] >> 4) == 4 && (got[6] & 0x40) == 0) {
      if (!testpkt::ipv4_header_checksum_ok(got)) {
        ++v.mismatches;
        ADD_FAILURE() << "bad IPv4 header checksum: " << hex(got);
      }
      if (got[4] == 0 && got[5] == 0) {  // the core's generator never gives 0 either
        ++v.mismatches;
        ADD_FAILURE() << "Identification 0 with DF=0: " << hex(got);
      }
      for (Bytes* b : {&got, &expect}) {
        if (b->size() >= 12) (*b)[4] = (*b)[5] = (*b)[10] = (*b)[11] = 0;
      }
    }
    if (got != expect) {
      ++v.mismatches;
      ADD_FAILURE() << "in:   " << hex(pkt) << "\nfast: " << hex(got) << "\ncore: " << hex(expect);
    }
  }

  // The first 96 bytes: every header either path writes.
  static std::string hex(const Bytes& b) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < b.size() && i < 96; ++i) {
      const uint8_t x = b[i];
      s += d[x >> 4];
      s += d[x & 15];
    }
    return s;
  }

  void run_generated(uint64_t fallback, const char* what);

  static xlatd::FastPath* fp_;
  static std::string load_error_;
};

xlatd::FastPath* Differential::fp_ = nullptr;
std::string Differential::load_error_;

// Addresses a generated packet may carry, each kind of decision represented.
std::string random_v4(std::mt19937& rng) {
  switch (rng() % 7) {
    case 0: return "192.168.255." + std::to_string(10 + rng() % (kMappedHosts + 2));  // mapped (or not)
    case 6: return "192.168.255." + std::to_string(1 + rng() % (kPoolHosts + 2));    // pool, held (or not)
    case 1: return "192.0.2.1";                                                   // own
    case 2: return std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + ".0.1";  // any, reserved too
    default: return "198.51.100." + std::to_string(rng() % 256);
  }
}

std::string random_v6(std::mt19937& rng) {
  switch (rng() % 6) {
    case 0: return "2001:db8:1::" + std::to_string(10 + rng() % (kMappedHosts + 2));
    case 1: return "2001:db8:2::1";
    case 2: return pool_host(static_cast<int>(rng() % (kPoolHosts + 2)));
    default: return xlat::to_string(xlat::rfc6052_embed(*xlat::parse_ipv6_prefix(g_prefix),
                                                          *xlat::parse_ipv4(random_v4(rng))));
  }
}

// Half the packets are ordinary (a mapped or pool host and an IPv4 host behind the
// prefix, a TTL that does not expire), the other half anything.
Bytes random_packet(std::mt19937& rng) {
  const unsigned kind = rng() % 5;  // 0, 1: UDP; 2, 3: TCP; 4: ICMP (mostly Echo)
  const bool udp = kind < 2;
  const bool ordinary = rng() % 2;
  const bool pooled = rng() % 2;
  const int host = static_cast<int>(rng() % kMappedHosts);
  const std::string host4 = "192.168.255." + std::to_string(pooled ? 1 + host : 10 + host);
  const std::string host6 = pooled ? pool_host(host) : "2001:db8:1::" + std::to_string(10 + host);
  const std::string remote4 = "198.51.100." + std::to_string(rng() % 256);
  static const uint32_t kSizes[] = {0, 1, 12, 100, 1212, 1213, 1232, 1240, 1260, 1420, 1452, 1460, 1472, 1480, 1481};
  Bytes payload = testpkt::pattern(kSizes[rng() % std::size(kSizes)], static_cast<uint8_t>(rng()));
  const uint16_t sport = static_cast<uint16_t>(rng()), dport = static_cast<uint16_t>(rng());
  static const uint8_t kHops[] = {0, 1, 2, 64, 255};
  Bytes p;
  if (rng() % 2) {
    testpkt::V6 h;
    h.src = ordinary ? host6 : random_v6(rng);
    h.dst = ordinary ? xlat::to_string(xlat::rfc6052_embed(*xlat::parse_ipv6_prefix(g_prefix),
                                                           *xlat::parse_ipv4(remote4)))
                     : random_v6(rng);
    h.tc = static_cast<uint8_t>(rng());
    h.hop_limit = ordinary ? 64 : kHops[rng() % std::size(kHops)];
    if (kind == 4) {
      static const uint8_t kTypes6[] = {128, 129, 128, 129, 1, 2, 3, 4, 135, 130};
      p = testpkt::icmp6(h, kTypes6[rng() % std::size(kTypes6)], rng() % 4 == 0 ? static_cast<uint8_t>(rng()) : 0,
                         static_cast<uint32_t>(rng()), payload);
    } else {
      p = udp ? testpkt::udp6(h, sport, dport, payload) : testpkt::tcp6(h, sport, dport, payload);
      if (udp && rng() % 8 == 0) p[46] = p[47] = 0;  // a zero UDP checksum
    }
  } else {
    testpkt::V4 h;
    h.src = ordinary ? remote4 : random_v4(rng);
    h.dst = ordinary ? host4 : random_v4(rng);
    h.tos = static_cast<uint8_t>(rng());
    h.ttl = ordinary ? 64 : kHops[rng() % std::size(kHops)];
    h.df = rng() % 2;
    h.id = static_cast<uint16_t>(rng());
    if (kind == 4) {
      static const uint8_t kTypes4[] = {8, 0, 8, 0, 3, 11, 12, 13, 5, 9};
      p = testpkt::icmp4(h, kTypes4[rng() % std::size(kTypes4)], rng() % 4 == 0 ? static_cast<uint8_t>(rng()) : 0,
                         static_cast<uint32_t>(rng()), payload);
    } else {
      p = udp ? testpkt::udp4(h, sport, dport, payload) : testpkt::tcp4(h, sport, dport, payload);
      if (udp && rng() % 8 == 0) p[26] = p[27] = 0;
    }
  }
  return p;
}

// What the fast path is for: the ordinary packet stays in the kernel, both ways, TCP,
// UDP and ICMP Echo, the static-map host inside the pool's range.
TEST_F(Differential, OrdinaryPacketsOfAStaticMapHostStayInTheKernel) {
  testpkt::V6 h6;
  h6.src = "2001:db8:1::10";
  h6.dst = "2001:db8:64::c633:6402";  // 198.51.100.2
  testpkt::V4 h4;
  h4.src = "198.51.100.2";
  h4.dst = "192.168.255.10";
  for (const Bytes& p : {testpkt::udp6(h6, 4000, 53, testpkt::pattern(100)), testpkt::tcp6(h6, 4000, 80, {}),
                         testpkt::udp4(h4, 53, 4000, testpkt::pattern(1400)), testpkt::tcp4(h4, 80, 4000, {}),
                         testpkt::icmp6(h6, 128, 0, 0x12340001, testpkt::pattern(56)),
                         testpkt::icmp6(h6, 129, 0, 0x12340002, {}),
                         testpkt::icmp4(h4, 8, 0, 0x43210001, testpkt::pattern(1000)),
                         testpkt::icmp4(h4, 0, 0, 0x43210002, testpkt::pattern(56))}) {
    Verdicts v;
    compare(p, v);
    EXPECT_EQ(v.redirected, 1u) << hex(p);
    EXPECT_EQ(v.mismatches, 0u);
  }
}

// A host holding a dynamic-pool address is translated in the kernel both ways, and the
// program stamps its entry's last use (which the daemon reads back into the pool); an
// entry removed (gone dormant) sends the host's packets up again.
TEST_F(Differential, PoolHostsStayInTheKernelAndTheirUseIsStamped) {
  const xlat::Ipv6Addr host = *xlat::parse_ipv6(pool_host(3));
  const xlat::Ipv4Addr addr = *xlat::parse_ipv4("192.168.255.4");
  auto stamp_of = [&] {
    for (const auto& u : fp_->pool_uses()) {
      if (u.v6 == host) return u.monotonic_ns;
    }
    return uint64_t{0};
  };
  fp_->remove_pool_entry(addr, host);
  ASSERT_TRUE(fp_->add_pool_entry(addr, host));  // a fresh entry: never used
  EXPECT_EQ(stamp_of(), 0u);
  testpkt::V6 h6;
  h6.src = pool_host(3);
  h6.dst = "2001:db8:64::c633:6402";
  testpkt::V4 h4;
  h4.src = "198.51.100.2";
  h4.dst = "192.168.255.4";
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  const uint64_t before = static_cast<uint64_t>(t.tv_sec) * 1000000000ull + static_cast<uint64_t>(t.tv_nsec);
  Verdicts v;
  compare(testpkt::udp6(h6, 4000, 53, testpkt::pattern(100)), v);
  compare(testpkt::tcp4(h4, 80, 4000, {}), v);
  EXPECT_EQ(v.redirected, 2u);
  EXPECT_EQ(v.mismatches, 0u);
  // The coarse clock lags the precise one by at most a tick (4 ms at HZ 250).
  EXPECT_GT(stamp_of() + 50'000'000ull, before);
  fp_->remove_pool_entry(addr, host);
  Verdicts gone;
  compare(testpkt::udp6(h6, 4000, 53, testpkt::pattern(100)), gone);
  compare(testpkt::tcp4(h4, 80, 4000, {}), gone);
  ASSERT_TRUE(fp_->add_pool_entry(addr, host));
  EXPECT_EQ(gone.passed_up, 2u);
  EXPECT_EQ(gone.mismatches, 0u);
}

// TCP super-packets (GSO) are kept in the kernel when this kernel's helper leaves
// gso_size alone (probed at load; Linux 5.13 on) and every segment fits the other side's
// MTU with the new header; UDP super-packets, and TCP ones whose segments would not fit,
// go up (the daemon segments or shrinks them). Sizes around both limits, both ways.
TEST_F(Differential, TcpSuperPacketsStayInTheKernelWhenEverySegmentFits) {
  ASSERT_TRUE(fp_->gso_in_kernel()) << "kernel " << "probe said its helper changes gso_size";
  use(fastpath_config());
  testpkt::V6 h6;
  h6.src = "2001:db8:1::10";
  h6.dst = "2001:db8:64::c633:6402";
  testpkt::V4 h4;
  h4.src = "198.51.100.2";
  h4.dst = "192.168.255.1";  // pool_host(0)
  h4.df = true;
  Verdicts v;
  uint64_t kept6 = 0, kept4 = 0, up6 = 0, up4 = 0;
  for (const uint16_t gso : {1000, 1440, 1460, 1461, 1480, 1481}) {
    // A test run takes at most a page of packet: super-packets of 2 and 3 segments.
    for (const size_t payload : {1500u, 2500u, 3300u}) {
      Verdicts one;
      compare(testpkt::tcp6(h6, 4000, 80, testpkt::pattern(payload)), one, gso);
      (one.redirected ? kept6 : up6)++;
      // 6 -> 4: 20 + 20 + gso fits 1500 up to 1460.
      EXPECT_EQ(one.redirected, gso <= 1460 ? 1u : 0u) << gso;
      Verdicts two;
      compare(testpkt::tcp4(h4, 80, 4000, testpkt::pattern(payload)), two, gso);
      (two.redirected ? kept4 : up4)++;
      // 4 -> 6: 40 + 20 + gso fits 1500 up to 1440.
      EXPECT_EQ(two.redirected, gso <= 1440 ? 1u : 0u) << gso;
      v.mismatches += one.mismatches + two.mismatches;
    }
  }
  Verdicts udp;
  compare(testpkt::udp6(h6, 4000, 53, testpkt::pattern(3000)), udp, 1000);
  compare(testpkt::udp4(h4, 53, 4000, testpkt::pattern(3000)), udp, 1000);
  h4.df = false;  // DF=0: its segments may not exceed the lowest IPv6 MTU (1280)
  compare(testpkt::tcp4(h4, 80, 4000, testpkt::pattern(3000)), udp, 1440);
  Verdicts small;
  compare(testpkt::tcp4(h4, 80, 4000, testpkt::pattern(3000)), small, 1000);
  EXPECT_EQ(v.mismatches + udp.mismatches + small.mismatches, 0u);
  EXPECT_EQ(udp.passed_up, 3u);
  EXPECT_EQ(small.redirected, 1u);
  std::printf("super-packets: 6to4 %llu kept / %llu up, 4to6 %llu kept / %llu up\n",
              static_cast<unsigned long long>(kept6), static_cast<unsigned long long>(up6),
              static_cast<unsigned long long>(kept4), static_cast<unsigned long long>(up4));
}

// TAYGA's ipv6-addr may be any prefix address, not only the one embedding ipv4-addr:
// packets to it are the translator's own (the core answers or drops them), never
// translated to the IPv4 address it embeds.
TEST_F(Differential, PacketsToTheTranslatorsOwnIpv6AddressGoUp) {
  xlat::TranslatorConfig c = fastpath_config();
  c.own_v6 = *xlat::parse_ipv6("2001:db8:64::c633:6409");  // embeds 198.51.100.9
  use(c);
  testpkt::V6 h6;
  h6.src = "2001:db8:1::10";
  h6.dst = "2001:db8:64::c633:6409";
  Verdicts v;
  compare(testpkt::udp6(h6, 4000, 53, testpkt::pattern(40)), v);
  compare(testpkt::tcp6(h6, 4000, 80, {}), v);
  use(fastpath_config());
  EXPECT_EQ(v.passed_up, 2u);
  EXPECT_EQ(v.mismatches, 0u);
}

TEST_F(Differential, JoolFixturePacketsAreTranslatedAsTheCoreDoesOrPassedUp) {
  const std::filesystem::path dir = std::filesystem::path(shared_dir()) / "conformance" / "jool-siit";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir << " (set XLAT_SHARED_DIR)";
  Verdicts v;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".pkt") continue;
    std::ifstream f(e.path(), std::ios::binary);
    Bytes pkt((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (pkt.empty()) continue;
    compare(pkt, v);
  }
  EXPECT_EQ(v.mismatches, 0u);
  EXPECT_GT(v.redirected + v.passed_up, 250u);
  std::printf("Jool fixture: %llu kept in the kernel, %llu passed up, %llu mismatches\n",
              static_cast<unsigned long long>(v.redirected), static_cast<unsigned long long>(v.passed_up),
              static_cast<unsigned long long>(v.mismatches));
}

// Runs FASTPATH_PACKETS (default `fallback`) generated packets, half of them mutated.
void Differential::run_generated(uint64_t fallback, const char* what) {
  const char* n_env = std::getenv("FASTPATH_PACKETS");
  const uint64_t n = n_env != nullptr ? std::strtoull(n_env, nullptr, 10) : fallback;
  std::mt19937 rng(7915);
  Verdicts v;
  const auto before = fp_->counters();
  for (uint64_t i = 0; i < n && v.mismatches < 10; ++i) {
    Bytes p = random_packet(rng);
    if (i % 2 == 1) {
      // Mutated: one to three bytes of the first 48 changed (header checksums then
      // usually wrong, which is part of what is compared).
      for (unsigned k = 0, m = 1 + rng() % 3; k < m; ++k) p[rng() % std::min<size_t>(48, p.size())] = static_cast<uint8_t>(rng());
    }
    compare(p, v);
  }
  const auto after = fp_->counters();
  EXPECT_EQ(v.mismatches, 0u);
  // The program's own counters agree with what was seen.
  EXPECT_EQ(after[FP_TRANSLATED_6TO4] + after[FP_TRANSLATED_4TO6] - before[FP_TRANSLATED_6TO4] -
                before[FP_TRANSLATED_4TO6],
            v.redirected);
  // Both kinds of outcome are exercised in quantity.
  EXPECT_GT(v.redirected, n / 50);
  EXPECT_GT(v.passed_up, n / 50);
  std::printf("generated (%s): %llu packets, %llu kept in the kernel, %llu passed up, %llu mismatches, "
              "%llu too short to be routed (not run)\n", what,
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(v.redirected),
              static_cast<unsigned long long>(v.passed_up), static_cast<unsigned long long>(v.mismatches),
              static_cast<unsigned long long>(v.unroutable));
}

TEST_F(Differential, GeneratedAndMutatedPacketsAreTranslatedAsTheCoreDoesOrPassedUp) {
  use(fastpath_config());
  run_generated(200000, "/96, MTU 1500");
}

// Another configuration: the well-known prefix (wkpf-strict off, as a private IPv4
// network needs), smaller MTUs on both sides, so the size rules decide differently.
TEST_F(Differential, UnderTheWellKnownPrefixAndSmallMtus) {
  xlat::TranslatorConfig c = fastpath_config();
  c.prefix = xlat::well_known_prefix();
  c.wkpf_strict = false;
  c.own_v6 = xlat::rfc6052_embed(*c.prefix, c.own_v4);
  c.mtu4 = 1400;
  c.mtu6 = 1280;
  use(c);
  run_generated(100000, "64:ff9b::/96, MTU 1400 / 1280");
  use(fastpath_config());
}

}  // namespace
