// The dynamic pool: TAYGA's choice of address, lifetimes, exhaustion, dynamic.map, and
// lock-free lookups from several threads.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include "plat/dynamic_pool.hpp"
#include "temp_path.hpp"

namespace {

using xlatd::DynamicPoolImpl;
using Result = xlat::DynamicPool::Result;

constexpr int64_t kT0 = 1'800'000'000;

DynamicPoolImpl make(const char* range, std::vector<const char*> excluded = {}) {
  DynamicPoolImpl::Options o;
  o.range = *xlat::parse_ipv4_prefix(range);
  for (auto* e : excluded) o.excluded.push_back(*xlat::parse_ipv4_prefix(e));
  return DynamicPoolImpl(std::move(o), kT0);
}

std::string assign(DynamicPoolImpl& p, const char* v6, bool allow = true) {
  xlat::Ipv4Addr out = 0;
  auto r = p.lookup6(*xlat::parse_ipv6(v6), out, allow);
  if (r == Result::Exhausted) return "exhausted";
  if (r == Result::NotFound) return "not found";
  return xlat::to_string(out);
}

std::string back(DynamicPoolImpl& p, const char* v4) {
  xlat::Ipv6Addr out;
  return p.lookup4(*xlat::parse_ipv4(v4), out) ? xlat::to_string(out) : "none";
}

TEST(DynamicPool, PicksTheAddressTaygaPicks) {
  // Measured with TAYGA 0.9.2 in tests/e2e: 2001:db8:1::2 in 192.168.255.0/24 gets .233.
  auto p = make("192.168.255.0/24", {"192.168.255.1"});
  EXPECT_EQ(assign(p, "2001:db8:1::2"), "192.168.255.233");
  EXPECT_EQ(back(p, "192.168.255.233"), "2001:db8:1::2");
  EXPECT_EQ(assign(p, "2001:db8:1::2"), "192.168.255.233");  // stable
}

TEST(DynamicPool, ProbesPastTakenAndExcludedAddresses) {
  auto p = make("192.168.255.0/24", {"192.168.255.233"});
  EXPECT_EQ(assign(p, "2001:db8:1::2"), "192.168.255.234");
}

TEST(DynamicPool, ExclusionsTakeExactlyTheAddressesTheyShareWithThePool) {
  // Inside (a /30 and a host), overlapping the start and the end, and outside.
  auto p = make("10.64.0.0/24", {"10.64.0.8/30", "10.64.0.77", "10.64.0.0/31", "10.64.0.254/31", "10.65.0.0/16"});
  // 255 slots (.1 ... .255): .1 (its /31 holds the network address too), .8-.11, .77,
  // .254 and .255.
  EXPECT_EQ(p.usage().free, 255u - 1 - 4 - 1 - 2);
  auto whole = make("10.64.0.0/24", {"10.0.0.0/8"});
  EXPECT_EQ(whole.usage().free, 0u);
}

TEST(DynamicPool, OnlyAssignsWhenAsked) {
  auto p = make("10.64.0.0/24");
  EXPECT_EQ(assign(p, "2001:db8::7", false), "not found");
  EXPECT_EQ(p.usage().active, 0u);
}

TEST(DynamicPool, ExhaustionReclaimsTheLeastRecentlyUsedDormantEntryOnly) {
  auto p = make("10.64.0.0/30");  // hosts .1 .2 .3
  std::string first = assign(p, "2001:db8::1");
  EXPECT_NE(first, "exhausted");
  p.set_now(kT0 + 100);
  EXPECT_NE(assign(p, "2001:db8::2"), "exhausted");
  p.set_now(kT0 + 200);
  EXPECT_NE(assign(p, "2001:db8::3"), "exhausted");
  EXPECT_EQ(assign(p, "2001:db8::4"), "exhausted");  // active entries are never taken
  p.set_now(kT0 + DynamicPoolImpl::kActiveSeconds + 150);
  p.maintain();  // ::1 and ::2 go dormant; ::3 (used at +200) stays active
  EXPECT_EQ(p.usage().dormant, 2u);
  EXPECT_EQ(back(p, first.c_str()), "none");  // dormant: out of the 4→6 lookup
  EXPECT_EQ(assign(p, "2001:db8::4"), first);  // the oldest dormant one is taken over
  EXPECT_EQ(back(p, first.c_str()), "2001:db8::4");
}

TEST(DynamicPool, DormantEntriesWakeForTheirHostAndAreFreedAfterFourteenDays) {
  auto p = make("10.64.0.0/24");
  std::string a = assign(p, "2001:db8::9");
  p.set_now(kT0 + DynamicPoolImpl::kActiveSeconds + 1);
  p.maintain();
  EXPECT_EQ(p.usage().dormant, 1u);
  EXPECT_EQ(assign(p, "2001:db8::9", false), "not found");
  EXPECT_EQ(assign(p, "2001:db8::9"), a);  // still reserved for it
  EXPECT_EQ(p.usage().active, 1u);
  p.set_now(kT0 + DynamicPoolImpl::kDormantSeconds + DynamicPoolImpl::kActiveSeconds + 10);
  p.maintain();
  p.set_now(kT0 + 2 * DynamicPoolImpl::kDormantSeconds + DynamicPoolImpl::kActiveSeconds + 20);
  p.maintain();
  EXPECT_EQ(p.usage().active + p.usage().dormant, 0u);
}

// The fast path holds the active entries too: the watcher is told of each one that is
// active when it starts watching, each assignment and wake-up, each entry gone dormant.
TEST(DynamicPool, AWatcherSeesEveryEntryBecomeActiveAndGoDormant) {
  auto p = make("10.64.0.0/24");
  const std::string a = assign(p, "2001:db8::a");
  std::vector<std::string> seen;
  p.watch([&](xlat::Ipv4Addr v4, const xlat::Ipv6Addr& v6, bool active) {
    seen.push_back(std::string(active ? "+" : "-") + xlat::to_string(v4) + " " + xlat::to_string(v6));
  });
  ASSERT_EQ(seen, std::vector<std::string>{"+" + a + " 2001:db8::a"});
  p.set_now(kT0 + 100);
  const std::string b = assign(p, "2001:db8::b");
  EXPECT_EQ(assign(p, "2001:db8::b"), b);  // found again: no news
  p.set_now(kT0 + DynamicPoolImpl::kActiveSeconds + 50);
  p.maintain();  // ::a goes dormant, ::b (used at +100) stays
  EXPECT_EQ(assign(p, "2001:db8::a"), a);  // wakes up
  EXPECT_EQ(seen, (std::vector<std::string>{"+" + a + " 2001:db8::a", "+" + b + " 2001:db8::b",
                                            "-" + a + " 2001:db8::a", "+" + a + " 2001:db8::a"}));
  p.watch(nullptr);
  (void)assign(p, "2001:db8::c");
  EXPECT_EQ(seen.size(), 4u);
}

// Uses the fast path saw (and the workers did not) keep an entry active and reach
// dynamic.map; a stamp from the future counts as now, one for a dormant entry not at all.
TEST(DynamicPool, UsesSeenElsewhereKeepAnEntryActive) {
  const xlat::test::TempFile uses("uses.map");
  auto p = make("10.64.0.0/24");
  const std::string a = assign(p, "2001:db8::a");
  std::string err;
  ASSERT_TRUE(p.save(uses.path, err)) << err;
  EXPECT_FALSE(p.dirty());
  p.set_now(kT0 + 5000);
  EXPECT_TRUE(p.note_use(*xlat::parse_ipv6("2001:db8::a"), kT0 + 4000));
  EXPECT_TRUE(p.dirty());
  EXPECT_FALSE(p.note_use(*xlat::parse_ipv6("2001:db8::b"), kT0 + 4000));  // no entry
  p.set_now(kT0 + DynamicPoolImpl::kActiveSeconds + 100);
  p.maintain();
  EXPECT_EQ(p.usage().active, 1u);  // 4000 s ago was its last use, not kT0
  EXPECT_TRUE(p.note_use(*xlat::parse_ipv6("2001:db8::a"), kT0 + 999'999));  // future: now
  ASSERT_TRUE(p.save(uses.path, err)) << err;
  std::ifstream f(uses.path);
  std::string text((std::istreambuf_iterator<char>(f)), {});
  EXPECT_NE(text.find(a + "\t2001:db8::a\t" + std::to_string(kT0 + DynamicPoolImpl::kActiveSeconds + 100) + "\n"),
            std::string::npos)
      << text;
  p.set_now(kT0 + 3 * DynamicPoolImpl::kActiveSeconds);
  p.maintain();
  EXPECT_EQ(p.usage().dormant, 1u);
  EXPECT_FALSE(p.note_use(*xlat::parse_ipv6("2001:db8::a"), kT0 + 3 * DynamicPoolImpl::kActiveSeconds));
  EXPECT_EQ(p.usage().dormant, 1u);
}

TEST(DynamicPool, DynamicMapRoundTripInTaygaFormat) {
  const xlat::test::TempFile file("dynamic.map");
  const std::string& path = file.path;
  std::string a_was, b_was;
  {
    auto p = make("10.64.0.0/24");
    a_was = assign(p, "2001:db8::a");
    p.set_now(kT0 + 10);
    b_was = assign(p, "2001:db8::b");
    EXPECT_TRUE(p.dirty());
    std::string err;
    ASSERT_TRUE(p.save(path, err)) << err;
    EXPECT_FALSE(p.dirty());
  }
  std::ifstream f(path);
  std::string text((std::istreambuf_iterator<char>(f)), {});
  EXPECT_NE(text.find("\t2001:db8::a\t1800000000\n"), std::string::npos) << text;
  auto q = make("10.64.0.0/24");
  q.set_now(kT0 + 20);
  std::vector<std::string> notes;
  q.load(path, notes);
  EXPECT_TRUE(notes.empty());
  EXPECT_EQ(q.usage().active, 2u);
  // Each host gets back the very address it had (issue 15: this compared a value with
  // itself, and a save that wrote every address +1 passed).
  EXPECT_EQ(assign(q, "2001:db8::a", false), a_was);
  EXPECT_EQ(assign(q, "2001:db8::b", false), b_was);
  EXPECT_NE(a_was, b_was);
}

TEST(DynamicPool, LoadSkipsBadLinesAndHonoursAge) {
  const xlat::test::TempFile file("bad.map");
  const std::string& path = file.path;
  {
    std::ofstream f(path);
    f << "# header\n"
      << "10.64.0.5\t2001:db8::5\t" << kT0 - 60 << "\n"             // recent: active
      << "10.64.0.6\t2001:db8::6\t" << kT0 - 8000 << "\n"           // old: dormant
      << "10.64.0.7\tnot-an-address\t" << kT0 << "\n"               // malformed
      << "10.99.0.7\t2001:db8::7\t" << kT0 << "\n"                  // outside the pool
      << "10.64.0.5\t2001:db8::8\t" << kT0 << "\n"                  // duplicate IPv4
      << "10.64.0.9\t2001:db8::5\t" << kT0 << "\n"                  // duplicate IPv6
      << "10.64.0.10\t2001:db8::10\t" << kT0 << " extra\n";         // malformed
  }
  auto p = make("10.64.0.0/24");
  std::vector<std::string> notes;
  p.load(path, notes);
  EXPECT_EQ(notes.size(), 5u);
  EXPECT_EQ(p.usage().active, 1u);
  EXPECT_EQ(p.usage().dormant, 1u);
  EXPECT_EQ(back(p, "10.64.0.5"), "2001:db8::5");
  EXPECT_EQ(back(p, "10.64.0.6"), "none");
  EXPECT_EQ(assign(p, "2001:db8::6"), "10.64.0.6");
}

TEST(DynamicPool, LoadFreesEntriesUnusedForFourteenDays) {
  const xlat::test::TempFile file("expired.map");
  const std::string& path = file.path;
  {
    std::ofstream f(path);
    f << "10.64.0.5\t2001:db8::5\t" << kT0 - 15 * 86400 << "\n"   // long expired: freed
      << "10.64.0.6\t2001:db8::6\t" << kT0 - 13 * 86400 << "\n"   // dormant, kept
      << "10.64.0.7\t2001:db8::5\t" << kT0 - 60 << "\n";          // the same host again: skipped
  }
  auto p = make("10.64.0.0/24");
  std::vector<std::string> notes;
  p.load(path, notes);
  EXPECT_EQ(notes.size(), 1u);
  EXPECT_EQ(p.usage().active, 0u);
  EXPECT_EQ(p.usage().dormant, 1u);
  EXPECT_EQ(back(p, "10.64.0.5"), "none");
  // Its host is unknown again and its address free: the host takes its TAYGA address.
  EXPECT_EQ(assign(p, "2001:db8::6"), "10.64.0.6");
  EXPECT_EQ(p.usage().free, make("10.64.0.0/24").usage().free - 1);  // .5 is free again
}

TEST(DynamicPool, FutureTimestampsMakeEveryEntryDormant) {
  const xlat::test::TempFile file("future.map");
  const std::string& path = file.path;
  {
    std::ofstream f(path);
    f << "10.64.0.5\t2001:db8::5\t" << kT0 - 10 << "\n10.64.0.6\t2001:db8::6\t" << kT0 + 99999 << "\n";
  }
  auto p = make("10.64.0.0/24");
  std::vector<std::string> notes;
  p.load(path, notes);
  EXPECT_EQ(p.usage().dormant, 2u);
  EXPECT_EQ(notes.size(), 1u);
}

xlat::Ipv6Addr host(int group, int i) {
  xlat::Ipv6Addr a = *xlat::parse_ipv6("2001:db8::");
  a.b[12] = static_cast<uint8_t>(group);
  a.b[14] = static_cast<uint8_t>(i >> 8);
  a.b[15] = static_cast<uint8_t>(i);
  return a;
}

TEST(DynamicPool, ConcurrentWorkersNeverShareAnAddress) {
  auto p = make("10.64.0.0/20");
  auto work = [&](int base) {
    for (int i = 0; i < 1500; ++i) {
      xlat::Ipv6Addr a = host(base, i);
      xlat::Ipv4Addr v4;
      ASSERT_EQ(p.lookup6(a, v4, true), Result::Found);
      xlat::Ipv6Addr b;
      ASSERT_TRUE(p.lookup4(v4, b));
      ASSERT_EQ(a, b);
    }
  };
  std::thread t1(work, 1), t2(work, 2), t3(work, 1);  // t3 races t1 on the same hosts
  t1.join();
  t2.join();
  t3.join();
  EXPECT_EQ(p.usage().active, 3000u);
  std::set<std::string> seen;
  for (int base : {1, 2}) {
    for (int i = 0; i < 1500; ++i) {
      xlat::Ipv6Addr a = host(base, i);
      xlat::Ipv4Addr v4;
      ASSERT_EQ(p.lookup6(a, v4, false), Result::Found);
      EXPECT_TRUE(seen.insert(xlat::to_string(v4)).second);
    }
  }
}

}  // namespace
