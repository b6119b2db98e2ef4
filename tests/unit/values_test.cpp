// The value parsers both modes share (config/values.hpp).
#include "config/values.hpp"

#include <gtest/gtest.h>

namespace {

using namespace xlatd;

TEST(ConfigValues, OneBooleanSpellingAndNumbers) {
  for (const char* w : {"yes", "ON", "True", "1"}) EXPECT_EQ(parse_bool(w), true) << w;
  for (const char* w : {"no", "Off", "FALSE", "0"}) EXPECT_EQ(parse_bool(w), false) << w;
  EXPECT_FALSE(parse_bool("maybe"));
  EXPECT_EQ(parse_number("65535", 65535), 65535u);
  EXPECT_FALSE(parse_number("65536", 65535));
  EXPECT_FALSE(parse_number("-1", 65535));
  EXPECT_FALSE(parse_number("", 65535));
  EXPECT_FALSE(parse_number("0x10", 65535));
  EXPECT_EQ(parse_number("0x10", 65535, true), 16u);
  EXPECT_FALSE(parse_number("0x", 65535, true));
}

}  // namespace
