// When the CLAT asks DNS64 again (clat/dns64_schedule.hpp), on a clock the test moves.
#include "clat/dns64_schedule.hpp"

#include <gtest/gtest.h>

namespace xlatd::clat {
namespace {

using S = Dns64Schedule;

TEST(Rfc7050Section5, AnAnswerIsAskedAgainWhenItsTtlRunsOut) {
  S s;
  ASSERT_TRUE(s.due(100));
  s.sent(100);
  s.answered(101, 300, true);
  EXPECT_FALSE(s.due(101));
  EXPECT_FALSE(s.due(400));
  EXPECT_TRUE(s.due(401));
}

TEST(Rfc7050Section5, TheTtlIsHeldBetweenAMinuteAndADay) {
  S s;
  s.answered(0, 5, true);
  EXPECT_FALSE(s.due(S::kMinTtl - 1));
  EXPECT_TRUE(s.due(S::kMinTtl));
  s.answered(0, 10'000'000, true);
  EXPECT_FALSE(s.due(S::kMaxTtl - 1));
  EXPECT_TRUE(s.due(S::kMaxTtl));
}

TEST(Rfc7050Section5, AnAnswerWithoutAPrefixIsAskedAgainSoon) {
  S s;
  s.answered(0, 86400, false);
  EXPECT_FALSE(s.due(S::kNoPrefixRetry - 1));
  EXPECT_TRUE(s.due(S::kNoPrefixRetry));
}

TEST(Rfc7050Section5, NoAnswerBacksOffTo60SecondsAndAnAnswerResetsIt) {
  S s;
  s.sent(0);
  EXPECT_FALSE(s.gave_up(1));
  EXPECT_TRUE(s.gave_up(2));
  EXPECT_EQ(s.failed(2), 2);
  EXPECT_EQ(s.next(), 4);
  EXPECT_EQ(s.failed(4), 4);
  EXPECT_EQ(s.failed(8), 8);
  EXPECT_EQ(s.failed(16), 16);
  EXPECT_EQ(s.failed(32), 32);
  EXPECT_EQ(s.failed(64), 60);
  EXPECT_EQ(s.failed(124), 60);
  s.answered(200, 100, true);
  EXPECT_EQ(s.failed(300), 2);
}

TEST(Rfc9872Section4, ANewUplinkWaitsASecondForRouterAdvertisements) {
  S s;
  s.answered(0, 3600, true);
  s.failed(10);
  s.new_uplink(50);
  EXPECT_FALSE(s.due(50));
  EXPECT_TRUE(s.due(51));
  EXPECT_EQ(s.failed(51), 2);  // the back-off starts over too
}

TEST(Dns64Schedule, SighupAsksAtOnce) {
  S s;
  s.answered(1000, 3600, true);
  s.ask_now();
  EXPECT_TRUE(s.due(1000));
}

}  // namespace
}  // namespace xlatd::clat
