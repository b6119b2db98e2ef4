// `xlatd stats`: the mode status block (what the CLAT's loop decided last).
#include <gtest/gtest.h>

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

TEST(StatsStatus, APlatHasNone) {
  std::vector<std::unique_ptr<Worker>> none;
  StatsSource src{"nat64", 0, &none, nullptr, nullptr};
  EXPECT_NE(render_stats(src, true, 5).find(R"("status":null)"), std::string::npos);
  EXPECT_EQ(render_stats(src, false, 5).find("state:"), std::string::npos);
}

}  // namespace
}  // namespace xlatd
