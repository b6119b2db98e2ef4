// Rate-limited log lines (daemon/log.hpp): what an outsider can cause at will goes out
// once, then at most once per interval, saying how many like it were held back.
#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "runtime/log.hpp"

namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(LogRateLimited, TheFirstGoesOutThenOnePerIntervalWithTheCountHeldBack) {
  xlatd::log::init(xlatd::log::Target::Stdout, false);
  xlatd::log::RateLimited r(60);
  testing::internal::CaptureStdout();
  r.warn("refused A", 1000);
  r.warn("refused B", 1001);   // held
  r.warn("refused C", 1059);   // held: 59 s after the last one out
  r.warn("refused D", 1060);   // out, with the two held back
  r.warn("refused E", 1061);   // held
  r.warn("refused F", 1200);   // out, one held back
  r.warn("refused G", 1260);   // out, none held back
  auto got = lines(testing::internal::GetCapturedStdout());
  ASSERT_EQ(got.size(), 4u);
  EXPECT_NE(got[0].find("warning: refused A"), std::string::npos) << got[0];
  EXPECT_EQ(got[0].find("more like it"), std::string::npos) << got[0];
  EXPECT_NE(got[1].find("warning: refused D (and 2 more like it)"), std::string::npos) << got[1];
  EXPECT_NE(got[2].find("warning: refused F (and 1 more like it)"), std::string::npos) << got[2];
  EXPECT_NE(got[3].find("warning: refused G"), std::string::npos) << got[3];
  EXPECT_EQ(got[3].find("more like it"), std::string::npos) << got[3];
}

}  // namespace
