// `xlatd stats`, its JSON, the Prometheus exposition and the SIGUSR1 line: one counter
// table feeds them all; the mode status block (what the CLAT's loop decided last).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

#include "runtime/mode_status.hpp"
#include "runtime/stats.hpp"

namespace xlatd {
namespace {

TEST(StatsStatus, TheLastTurnIsShownWithItsCountEscapedInJson) {
  std::vector<std::unique_ptr<Worker>> none;
  ModeStatus st;
  StatsSource src{"clat", 0, &none, nullptr, &st};
  st.turn("idle", "no prefix yet");
  st.turn("refused", "address \"in use\"");
  const std::string json = render_stats(src, true, 5);
  EXPECT_NE(json.find(R"("status":{"state":"refused","why":"address \"in use\"","turns":2})"), std::string::npos)
      << json;
  const std::string text = render_stats(src, false, 5);
  EXPECT_NE(text.find("state: refused (address \"in use\")"), std::string::npos) << text;
}

// Two workers, every counter a distinct value: each view shows each counter, with
// the right value, under the name (and Prometheus family and label) of the table.
TEST(StatsViews, EveryCounterAppearsInEveryView) {
  StatsSnapshot s;
  s.tun = "nat64";
  s.workers.resize(2);
  uint64_t next = 1000;
  for (auto& w : s.workers) {
    for_each_counter(w, [&](const CounterInfo&, uint64_t& v) { v = next++; });
    for (auto& d : w.xlat.drops) d = next++;
  }
  s.pool = PoolUsage{3, 4, 5};
  const std::string json = render_json(s), table = render_table(s), prom = render_prometheus(s),
                    line = counters_line(s);
  std::vector<uint64_t> first;
  for_each_counter(s.workers[0], [&](const CounterInfo&, uint64_t v) { first.push_back(v); });
  size_t i = 0;
  for_each_counter(s.workers[1], [&](const CounterInfo& c, uint64_t v1) {
    const uint64_t v0 = first[i++], total = v0 + v1;
    const std::string name = c.name;
    EXPECT_NE(json.find("\"" + name + "\":" + std::to_string(total)), std::string::npos) << name;
    EXPECT_NE(table.find(name), std::string::npos) << name;
    EXPECT_NE(table.find(std::to_string(total)), std::string::npos) << name;
    EXPECT_NE(line.find(" " + name + " " + std::to_string(total)), std::string::npos) << name;
    const std::string label = *c.label ? std::string(",") + c.label : "";
    for (int w = 0; w < 2; ++w) {
      const std::string series = "xlatd_" + std::string(c.family) + "{worker=\"" + std::to_string(w) + "\"" + label +
                                 "} " + std::to_string(w ? v1 : v0) + "\n";
      EXPECT_NE(prom.find(series), std::string::npos) << series;
    }
    EXPECT_NE(prom.find("# TYPE xlatd_" + std::string(c.family) + " counter"), std::string::npos) << name;
    EXPECT_EQ(std::string(c.family).substr(std::string(c.family).size() - 6), "_total") << name;
  });
  EXPECT_EQ(i, kScalarCounters);
  const uint64_t reserved = s.workers[1].xlat.drops[static_cast<size_t>(xlat::DropReason::Ipv6ReservedDest)];
  EXPECT_NE(prom.find("reason=\"ipv6_reserved_dest\"} " + std::to_string(reserved)), std::string::npos);
  EXPECT_NE(prom.find("xlatd_pool_addresses{state=\"dormant\"} 4"), std::string::npos);
  EXPECT_NE(line.find("pool-free 5"), std::string::npos);
}

// Read back by a strict parser: every name comes back as it was, whatever it holds.
TEST(StatsViews, JsonEscapesQuotesBackslashesAndControlCharacters) {
  StatsSnapshot s;
  s.tun = std::string("a\"b\\c\nd\x01" "e\x1f");
  s.status = ModeStatus::Snapshot{"refused", "tab\there", 1};
  const std::string json = render_json(s);
  EXPECT_EQ(json.find('\n'), json.size() - 1) << "one line: " << json;
  const auto back = nlohmann::json::parse(json);
  EXPECT_EQ(back["tun"], s.tun);
  EXPECT_EQ(back["status"]["why"], "tab\there");
}

// A TUN name is bytes, not UTF-8: the JSON stays valid (U+FFFD in place of the bad
// byte) instead of invalid JSON or an exception in the stats server.
TEST(StatsViews, JsonOfANameThatIsNotUtf8IsStillValidJson) {
  StatsSnapshot s;
  s.tun = "nat\xff" "64";
  const std::string json = render_json(s);
  nlohmann::json back;
  ASSERT_NO_THROW(back = nlohmann::json::parse(json)) << json;
  EXPECT_EQ(back["tun"], "nat\xef\xbf\xbd" "64");
}

TEST(StatsStatus, APlatHasNone) {
  std::vector<std::unique_ptr<Worker>> none;
  StatsSource src{"nat64", 0, &none, nullptr, nullptr};
  EXPECT_NE(render_stats(src, true, 5).find(R"("status":null)"), std::string::npos);
  EXPECT_EQ(render_stats(src, false, 5).find("state:"), std::string::npos);
}

TEST(StatsViews, EveryFastPathCounterAppearsInEveryView) {
  StatsSnapshot s;
  s.tun = "nat64";
  s.workers.resize(1);
  FastPathCounters fp{};
  for (unsigned i = 0; i < FP_COUNTERS; ++i) fp[i] = 700000 + i;
  // Without a fast path no view names one.
  EXPECT_EQ(render_table(s).find("fast path"), std::string::npos);
  EXPECT_NE(render_json(s).find("\"fast_path\":null"), std::string::npos);
  s.fast_path = fp;
  const std::string json = render_json(s), table = render_table(s), prom = render_prometheus(s),
                    line = counters_line(s);
  for (unsigned i = 0; i < FP_COUNTERS; ++i) {
    const std::string name = fast_path_counter_info(i).name, value = std::to_string(700000 + i);
    EXPECT_NE(json.find("\"" + name + "\":" + value), std::string::npos) << name;
    EXPECT_NE(table.find(name), std::string::npos) << name;
    EXPECT_NE(table.find(value), std::string::npos) << name;
    EXPECT_NE(prom.find("xlatd_fast_path_packets_total{outcome=\"" + name + "\"} " + value + "\n"), std::string::npos)
        << name;
    EXPECT_NE(line.find(" fast-path-" + name + " " + value), std::string::npos) << name;
  }
  EXPECT_NE(prom.find("# TYPE xlatd_fast_path_packets_total counter"), std::string::npos);
}

}  // namespace
}  // namespace xlatd
