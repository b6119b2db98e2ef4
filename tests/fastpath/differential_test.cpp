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
#include <net/if.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>

#include "clat/clat_config.hpp"
#include "io/fastpath.hpp"
#include "io/offload.hpp"
#include "fake_pool.hpp"
#include "fuzz_harness.hpp"
#include "netns.hpp"
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
    std::string why;
    ASSERT_TRUE(fp_->configure(cfg(), kEthLen, 1, why, xlat::parse_ipv4_prefix(kPoolRange))) << why;
  }

  // Runs one packet through both; records a mismatch with the packet's bytes. With
  // gso_size, the packet is a super-packet (the kernel cuts it after the program): the
  // core translates it whole, as the daemon's offload path does, and the daemon's
  // per-segment rule (translate_vnet) must keep the segments as they are. With
  // uplink_ set, the ingress entry point runs instead, the packet received on uplink_.
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
    ctx.ingress_ifindex = uplink_;
    const bool with_ctx = gso_size != 0 || uplink_ != 0;
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in.data(), .data_out = out.data(),
                .data_size_in = static_cast<uint32_t>(in.size()),
                .data_size_out = static_cast<uint32_t>(out.size()), .ctx_in = with_ctx ? &ctx : nullptr,
                .ctx_out = with_ctx ? &ctx_out : nullptr, .ctx_size_in = with_ctx ? uint32_t{sizeof ctx} : 0u,
                .ctx_size_out = with_ctx ? uint32_t{sizeof ctx_out} : 0u, .repeat = 1);
    const int fd = uplink_ != 0 ? fp_->ingress_program_fd() : fp_->program_fd();
    ASSERT_EQ(bpf_prog_test_run_opts(fd, &opts), 0) << std::strerror(errno) << ": " << hex(pkt);
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
    testpkt::Run want = testpkt::translate(cfg(), uplink_ != 0 ? one_hop_on(pkt) : pkt, &pool, gso_size);
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

  // The packet after a router's hop: TTL / Hop Limit one less (the IPv4 header checksum
  // updated, RFC 1624), as the kernel's forwarding pass into the TUN leaves it.
  static Bytes one_hop_on(Bytes p) {
    if ((p[0] >> 4) == 6 && p.size() >= 40) {
      p[7] = static_cast<uint8_t>(p[7] - 1);
    } else if (p.size() >= 20) {
      const uint16_t before = static_cast<uint16_t>(p[8] << 8 | p[9]);  // TTL, Protocol
      p[8] = static_cast<uint8_t>(p[8] - 1);
      const uint16_t sum = xlat::csum_update(static_cast<uint16_t>(p[10] << 8 | p[11]), before,
                                             static_cast<uint16_t>(p[8] << 8 | p[9]));
      p[10] = static_cast<uint8_t>(sum >> 8);
      p[11] = static_cast<uint8_t>(sum);
    }
    return p;
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

  void run_generated(uint64_t fallback, const std::string& what, unsigned share = 1);

  static xlatd::FastPath* fp_;
  static std::string load_error_;
  uint32_t uplink_ = 0;  // the ingress entry point, received on this device
};

xlatd::FastPath* Differential::fp_ = nullptr;
std::string Differential::load_error_;

// Addresses a generated packet may carry, for one configuration, each kind of decision
// represented: `local` pairs are hosts on the IPv6 side (EAM samples, pool hosts),
// `remote` pairs hosts on the IPv4 side (behind the prefix, global or not, and EAM
// samples); `odd` ones anything else (own, reserved, unassigned, unmapped, random).
struct Addresses {
  std::vector<std::pair<xlat::Ipv4Addr, xlat::Ipv6Addr>> local, remote;
  std::vector<xlat::Ipv4Addr> odd4;
  std::vector<xlat::Ipv6Addr> odd6;
};

// Bits no mapping reads (after an EAM's suffix, a prefix's u octet and suffix), set at
// random: both translators must ignore them.
xlat::Ipv6Addr with_noise(xlat::Ipv6Addr a, unsigned from_bit, const uint8_t* skip, std::mt19937& rng) {
  for (unsigned bit = from_bit; bit < 128; ++bit) {
    const unsigned byte = bit / 8;
    if (skip != nullptr && (skip[0] == byte || skip[1] == byte || skip[2] == byte || skip[3] == byte)) continue;
    if (rng() % 2) a.b[byte] ^= static_cast<uint8_t>(0x80 >> (bit % 8));
  }
  return a;
}

Addresses addresses_for(const xlat::TranslatorConfig& c, std::mt19937& rng) {
  Addresses u;
  for (const xlat::EamEntry& e : c.eam.entries()) {
    for (int k = 0; k < 4; ++k) {
      const xlat::Ipv4Addr v4 = (e.v4.addr & xlat::ipv4_mask(e.v4.len)) | (static_cast<uint32_t>(rng()) & ~xlat::ipv4_mask(e.v4.len));
      xlat::Ipv6Addr v6;
      if (!c.eam.lookup4(v4, v6)) continue;  // a longer entry elsewhere took it
      xlat::Ipv6Addr v6_in = v6;
      const unsigned used = e.v6.len + 32u - e.v4.len;
      if (used < 128 && k % 2 == 1) v6_in = with_noise(v6, used, nullptr, rng);
      (k < 2 ? u.local : u.remote).emplace_back(v4, v6_in);
    }
  }
  for (int i = 0; i < kPoolHosts; ++i) {
    u.local.emplace_back(*xlat::parse_ipv4("192.168.255." + std::to_string(1 + i)), *xlat::parse_ipv6(pool_host(i)));
  }
  if (c.prefix) {
    const char* const kRemote[] = {"8.8.4.", "203.0.114.", "198.51.100.", "10.20.30.", "100.64.1.", "1.1.1."};
    const auto layout = xlat::Rfc6052Layout::for_length(c.prefix->len);
    for (const char* net : kRemote) {
      for (int k = 0; k < 3; ++k) {
        const xlat::Ipv4Addr v4 = *xlat::parse_ipv4(net + std::to_string(1 + rng() % 254));
        xlat::Ipv6Addr v6 = xlat::rfc6052_embed(*c.prefix, v4);
        if (k == 2 && c.prefix->len < 96) v6 = with_noise(v6, c.prefix->len, layout.pos, rng);
        u.remote.emplace_back(v4, v6);
      }
    }
  }
  u.odd4 = {c.own_v4, *xlat::parse_ipv4("192.168.255.200"), *xlat::parse_ipv4("192.168.255." + std::to_string(1 + kPoolHosts)),
            *xlat::parse_ipv4("127.0.0.1"), *xlat::parse_ipv4("169.254.1.1"), *xlat::parse_ipv4("224.0.0.5"),
            *xlat::parse_ipv4("255.255.255.255"), *xlat::parse_ipv4("0.1.2.3")};
  u.odd6 = {c.own_v6, *xlat::parse_ipv6("2001:db8:77::1"), *xlat::parse_ipv6(pool_host(kPoolHosts + 1)),
            *xlat::parse_ipv6("fe80::1"), *xlat::parse_ipv6("ff02::1"), *xlat::parse_ipv6("::1"),
            *xlat::parse_ipv6("::ffff:198.51.100.7")};
  if (c.prefix) {
    for (const xlat::Ipv4Addr v4 : {c.own_v4, *xlat::parse_ipv4("127.0.0.1"), *xlat::parse_ipv4("192.168.255.3"),
                                    *xlat::parse_ipv4("192.168.255.12"), *xlat::parse_ipv4("224.1.1.1")}) {
      u.odd6.push_back(xlat::rfc6052_embed(*c.prefix, v4));  // own, reserved, hairpins
    }
  }
  return u;
}

template <class T>
const T& pick(const std::vector<T>& v, std::mt19937& rng) { return v[rng() % v.size()]; }

xlat::Ipv4Addr any4(const Addresses& u, std::mt19937& rng) {
  switch (rng() % 4) {
    case 0: return pick(u.local, rng).first;
    case 1: return pick(u.remote, rng).first;
    case 2: return pick(u.odd4, rng);
    default: return static_cast<xlat::Ipv4Addr>(rng());
  }
}

xlat::Ipv6Addr any6(const Addresses& u, std::mt19937& rng) {
  switch (rng() % 3) {
    case 0: return pick(u.local, rng).second;
    case 1: return pick(u.remote, rng).second;
    default: return pick(u.odd6, rng);
  }
}

// Half the packets are ordinary (a local host and a remote one, a TTL that does not
// expire), the other half anything.
Bytes random_packet(const Addresses& u, std::mt19937& rng) {
  const unsigned kind = rng() % 5;  // 0, 1: UDP; 2, 3: TCP; 4: ICMP (mostly Echo)
  const bool udp = kind < 2;
  const bool ordinary = rng() % 2;
  const auto& local = pick(u.local, rng);
  const auto& remote = pick(u.remote, rng);
  static const uint32_t kSizes[] = {0, 1, 12, 100, 1212, 1213, 1232, 1240, 1260, 1420, 1452, 1460, 1472, 1480, 1481};
  Bytes payload = testpkt::pattern(kSizes[rng() % std::size(kSizes)], static_cast<uint8_t>(rng()));
  const uint16_t sport = static_cast<uint16_t>(rng()), dport = static_cast<uint16_t>(rng());
  static const uint8_t kHops[] = {0, 1, 2, 64, 255};
  // The PLAT's shape (the IPv6 host local, talking out) or the CLAT's (the IPv4 host
  // local: its one address mapped, the remote hosts behind the PLAT prefix).
  const bool clat_shape = rng() % 4 == 0;
  const auto& v6_side = clat_shape ? remote : local;
  const auto& v4_side = clat_shape ? local : remote;
  Bytes p;
  if (rng() % 2) {
    testpkt::V6 h;
    h.src = xlat::to_string(ordinary ? v6_side.second : any6(u, rng));
    h.dst = xlat::to_string(ordinary ? v4_side.second : any6(u, rng));
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
    h.src = xlat::to_string(ordinary ? v4_side.first : any4(u, rng));
    h.dst = xlat::to_string(ordinary ? v6_side.first : any4(u, rng));
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

// The core drops a reserved IPv6 source or destination (link-local, multicast, ::/96,
// ::ffff:0:0/96) before it maps anything, so a map that names one (possible through
// TOML or a map file) must not make the program translate it.
TEST_F(Differential, ReservedIpv6AddressesGoUpEvenWhenMapped) {
  xlat::TranslatorConfig c = fastpath_config();
  std::vector<xlat::EamEntry> maps(c.eam.entries().begin(), c.eam.entries().end());
  maps.push_back({*xlat::parse_ipv4_prefix("192.168.255.30/32"), *xlat::parse_ipv6_prefix("fe80::30/128")});
  maps.push_back({*xlat::parse_ipv4_prefix("192.168.254.0/24"), *xlat::parse_ipv6_prefix("::ffff:c0a8:fe00/120")});
  c.eam = xlat::EamTable(maps);
  use(c);
  Verdicts v;
  for (const char* src : {"fe80::30", "::ffff:c0a8:fe07"}) {
    testpkt::V6 h6;
    h6.src = src;
    h6.dst = "2001:db8:64::c633:6402";
    compare(testpkt::udp6(h6, 4000, 53, testpkt::pattern(40)), v);
    compare(testpkt::icmp6(h6, 128, 0, 1, testpkt::pattern(8)), v);
  }
  testpkt::V6 h6;
  h6.src = "2001:db8:1::10";
  h6.dst = "fe80::30";
  compare(testpkt::tcp6(h6, 4000, 80, {}), v);
  use(fastpath_config());
  EXPECT_EQ(v.passed_up, 5u);
  EXPECT_EQ(v.mismatches, 0u);
}

// RFC 6052 §3.1 under 64:ff9b::/96 with wkpf-strict: the edges of every non-global range
// (one address before, the first, the last, one after), both ways, each translated or
// passed up exactly as the core decides; the global neighbours are kept in the kernel.
TEST_F(Differential, TheWellKnownPrefixCarriesGlobalIpv4Only) {
  xlat::TranslatorConfig c = fastpath_config();
  c.prefix = xlat::well_known_prefix();
  c.wkpf_strict = true;
  c.own_v6 = *xlat::parse_ipv6("2001:db8:ff::1");
  use(c);
  Verdicts v;
  uint64_t global = 0;
  for (const xlat::Ipv4Prefix& r : xlat::ipv4_non_global_ranges()) {
    const uint32_t first = r.addr & xlat::ipv4_mask(r.len), last = first | ~xlat::ipv4_mask(r.len);
    for (const uint32_t a : {first - 1, first, last, last + 1}) {
      if (xlat::ipv4_is_global(a)) ++global;
      testpkt::V6 h6;
      h6.src = "2001:db8:1::10";
      h6.dst = xlat::to_string(xlat::rfc6052_embed(*c.prefix, a));
      compare(testpkt::udp6(h6, 4000, 53, testpkt::pattern(40)), v);
      testpkt::V4 h4;
      h4.src = xlat::to_string(a);
      h4.dst = "192.168.255.10";
      compare(testpkt::udp4(h4, 53, 4000, testpkt::pattern(40)), v);
    }
  }
  use(fastpath_config());
  EXPECT_EQ(v.mismatches, 0u);
  EXPECT_EQ(v.redirected, 2 * global);  // the core forwards exactly the global ones
  EXPECT_GT(global, 10u);
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
void Differential::run_generated(uint64_t fallback, const std::string& what, unsigned share) {
  const char* n_env = std::getenv("FASTPATH_PACKETS");
  const uint64_t n = (n_env != nullptr ? std::strtoull(n_env, nullptr, 10) : fallback) / share;
  std::mt19937 rng(7915);
  const Addresses u = addresses_for(cfg(), rng);
  Verdicts v;
  const auto before = fp_->counters();
  for (uint64_t i = 0; i < n && v.mismatches < 10; ++i) {
    Bytes p = random_packet(u, rng);
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
              "%llu too short to be routed (not run)\n", what.c_str(),
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

// The CLAT's configuration (ClatConfig::translator): its one IPv4 address mapped to its
// IPv6 address, every other behind the PLAT prefix, zero UDP checksums computed (so
// passed up), under a network-specific prefix and under 64:ff9b::/96 with wkpf-strict.
TEST_F(Differential, UnderTheClatsConfiguration) {
  xlatd::clat::ClatConfig clat;
  const xlat::Ipv6Addr clat_v6 = *xlat::parse_ipv6("2001:db8:1::c1a7");
  for (const char* prefix : {"2001:db8:64::/96", "64:ff9b::/96"}) {
    SCOPED_TRACE(prefix);
    use(clat.translator(1500, xlat::parse_ipv6_prefix(prefix), clat_v6));
    // The app's traffic out and the answers in, both in the kernel.
    testpkt::V4 h4;
    h4.src = "192.0.0.1";
    h4.dst = "8.8.4.4";
    testpkt::V6 h6;
    h6.src = xlat::to_string(xlat::rfc6052_embed(*xlat::parse_ipv6_prefix(prefix), *xlat::parse_ipv4("8.8.4.4")));
    h6.dst = "2001:db8:1::c1a7";
    Verdicts v;
    compare(testpkt::udp4(h4, 4000, 53, testpkt::pattern(60)), v);
    compare(testpkt::tcp4(h4, 4000, 443, {}), v);
    compare(testpkt::icmp4(h4, 8, 0, 0x12340001, testpkt::pattern(56)), v);
    compare(testpkt::udp6(h6, 53, 4000, testpkt::pattern(200)), v);
    compare(testpkt::tcp6(h6, 443, 4000, testpkt::pattern(1000)), v);
    compare(testpkt::icmp6(h6, 129, 0, 0x12340001, testpkt::pattern(56)), v);
    EXPECT_EQ(v.redirected, 6u);
    EXPECT_EQ(v.mismatches, 0u);
    run_generated(100000, std::string("the CLAT's, ") + prefix, 2);
  }
  use(fastpath_config());
}

// The uplink's entry point (fast-path-ingress) on the same generated packets, in a
// network namespace of the test's own where every address routes into a veth standing
// in for the TUN: each packet, as received on the other veth, is passed on unchanged or
// translated as the core translates it one hop on (the kernel's forwarding pass into
// the TUN, which the program stands in for, takes one from its TTL / Hop Limit).
TEST_F(Differential, OnAnUplinksIngressAsTheCoreDoesOneHopOn) {
  const bool made = xlat::test::in_new_netns([this] {
    using xlat::test::ip;
    ip("link set lo up");
    ip("link add fpup0 type veth peer name fptun0");
    ip("link set fpup0 up");
    ip("link set fptun0 up");
    ASSERT_EQ(std::system("sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1"), 0);
    ip("route add default dev fptun0");
    ip("-6 route add default dev fptun0");
    uplink_ = if_nametoindex("fpup0");
    ASSERT_NE(uplink_, 0u);
    use(fastpath_config());
    std::string why;
    ASSERT_TRUE(fp_->configure(cfg(), kEthLen, if_nametoindex("fptun0"), why, xlat::parse_ipv4_prefix(kPoolRange)))
        << why;
    run_generated(100000, "/96, MTU 1500, on an uplink's ingress");
  });
  uplink_ = 0;
  use(fastpath_config());
  EXPECT_TRUE(made) << "no network namespace: " << std::strerror(errno);
}

// Every configuration the fuzz targets translate under (tests/fuzz/fuzz_harness.hpp):
// a /40 prefix with EAM ranges inside and outside it (suffixes at the end and in the
// middle of the IPv6 address), no prefix at all, the well-known prefix with wkpf-strict,
// each UDP zero-checksum mode, MTUs from 1280 to 9000. FASTPATH_PACKETS are shared out
// among them.
TEST_F(Differential, UnderEveryFuzzConfiguration) {
  const auto configs = fuzz::make_configs();
  for (size_t i = 0; i < configs.size(); ++i) {
    SCOPED_TRACE("fuzz configuration " + std::to_string(i));
    use(configs[i]);
    const std::string what = "fuzz configuration " + std::to_string(i) + ": " +
                             (configs[i].prefix ? xlat::to_string(*configs[i].prefix) : std::string("no prefix")) +
                             ", MTU " + std::to_string(configs[i].mtu4) + " / " + std::to_string(configs[i].mtu6);
    run_generated(320000, what, static_cast<unsigned>(configs.size()));
  }
  use(fastpath_config());
}

}  // namespace
