// TAYGA's command line, as xlatd parses it.
#include <gtest/gtest.h>

#include <vector>

#include "runtime/options.hpp"

namespace {

std::optional<xlatd::Options> parse(std::vector<const char*> args, int& code) {
  args.insert(args.begin(), "xlatd");
  return xlatd::parse_options(static_cast<int>(args.size()), const_cast<char**>(args.data()), code);
}

TEST(TaygaCommandLine, DebugIsTheLongFormOfD) {
  int code = -1;
  for (const char* flag : {"-d", "--debug"}) {
    auto o = parse({flag}, code);
    ASSERT_TRUE(o) << flag;
    EXPECT_TRUE(o->debug_foreground) << flag;  // foreground ...
    EXPECT_TRUE(o->stdout_log) << flag;        // ... logging to stdout
    EXPECT_TRUE(o->debug) << flag;
  }
}

TEST(TaygaCommandLine, TheLastOfARepeatedOptionWins) {
  int code = -1;
  auto o = parse({"-c", "/a.conf", "-c", "/b.conf", "-u", "x", "--user", "y"}, code);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->config, "/b.conf");
  EXPECT_EQ(o->user, "y");
}

TEST(TaygaCommandLine, HelpAndUsageErrorsExitOne) {
  int code = -1;
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  EXPECT_FALSE(parse({"-h"}, code));
  EXPECT_EQ(code, 1);
  EXPECT_FALSE(parse({"--no-such-option"}, code));
  EXPECT_EQ(code, 1);
  EXPECT_FALSE(parse({"-c"}, code));  // missing argument
  EXPECT_EQ(code, 1);
  testing::internal::GetCapturedStdout();
  testing::internal::GetCapturedStderr();
}

TEST(TaygaCommandLine, ChrootWithoutUserIsLeftForAfterTheConfiguration) {
  int code = -1;
  auto o = parse({"-r", "-c", "/etc/tayga.conf"}, code);
  ASSERT_TRUE(o);  // plat_daemon.cpp refuses it once the file is read, as TAYGA does
  EXPECT_TRUE(o->chroot);
}

TEST(TaygaCommandLine, StrayArgumentsDoNotStopIt) {
  int code = -1;
  auto o = parse({"-c", "/etc/tayga.conf", "leftover"}, code);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->overrides, std::vector<std::string>{"leftover"});
}

}  // namespace

namespace {

std::optional<xlatd::Options> parse_as(const char* self, std::vector<const char*> args, int& code) {
  args.insert(args.begin(), self);
  return xlatd::parse_options(static_cast<int>(args.size()), const_cast<char**>(args.data()), code);
}

// clatd's command line: -d and -q count, and started as `clatd` xlatd is the CLAT.
TEST(ClatdCommandLine, RepeatedDebugAndQuietCount) {
  int code = -1;
  auto o = parse_as("xlatd", {"--mode", "clat", "-d", "-d", "-q", "-q", "-q"}, code);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->debug_level, 2);
  EXPECT_EQ(o->quiet, 3);
  EXPECT_FALSE(o->detach);  // clatd stays in the foreground
  EXPECT_FALSE(o->config_given);
}

TEST(ClatdCommandLine, StartedAsClatdItIsTheClat) {
  int code = -1;
  for (const char* self : {"clatd", "/usr/sbin/clatd"}) {
    auto o = parse_as(self, {"-c", "/etc/clatd.conf", "plat-prefix=64:ff9b::/96"}, code);
    ASSERT_TRUE(o) << self;
    EXPECT_EQ(o->mode, "clat") << self;
    EXPECT_TRUE(o->config_given);
    EXPECT_EQ(o->overrides, std::vector<std::string>{"plat-prefix=64:ff9b::/96"});
  }
  auto plain = parse_as("/usr/sbin/xlatd", {}, code);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->mode, "plat");
}

}  // namespace
