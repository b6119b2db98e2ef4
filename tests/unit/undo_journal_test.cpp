// Issue 14, finding 1: the CLAT's undo journal is executed by root, so only the exact
// lines a CLAT writes are accepted, and one bad line refuses the whole journal.
#include <gtest/gtest.h>

#include "clat/undo_journal.hpp"

namespace {

using xlatd::clat::UndoJournal;
using xlatd::clat::parse_undo_journal;
using xlatd::clat::render_undo_journal;

UndoJournal sample() {
  UndoJournal j;
  j.sysctls = {{"net/ipv6/conf/eth0/accept_ra", "1"}, {"net/ipv6/conf/all/forwarding", "0"},
               {"net/ipv6/conf/eth0/proxy_ndp", "0"}};
  j.proxy = UndoJournal::Proxy{"eth0", *xlat::parse_ipv6("2001:db8:1::c1a7")};
  j.mark = UndoJournal::Mark{"clat", 0xc1a7, 49575};
  j.routes4 = {{"wlan0", *xlat::parse_ipv4("192.168.1.1"), 600}};
  return j;
}

TEST(UndoJournal, WhatTheClatWritesReadsBackTheSame) {
  const std::string text = render_undo_journal(sample());
  UndoJournal back;
  std::string why;
  ASSERT_TRUE(parse_undo_journal(text, "clat", back, why)) << why << "\n" << text;
  EXPECT_EQ(render_undo_journal(back), text);
  ASSERT_EQ(back.sysctls.size(), 3u);
  EXPECT_EQ(back.sysctls[1].key, "net/ipv6/conf/all/forwarding");
  EXPECT_EQ(back.proxy->dev, "eth0");
  EXPECT_EQ(xlat::to_string(back.proxy->addr), "2001:db8:1::c1a7");
  EXPECT_EQ(back.mark->mark, 0xc1a7u);
  EXPECT_EQ(back.mark->table, 49575u);
  EXPECT_EQ(back.routes4[0].metric, 600u);
  EXPECT_EQ(xlat::to_string(back.routes4[0].gateway), "192.168.1.1");
}

TEST(UndoJournal, PlantedLinesRefuseTheWholeJournal) {
  const std::string good = render_undo_journal(sample());
  struct Case {
    const char* line;
    const char* why;
  };
  const Case cases[] = {
      // The proof of concept: a sysctl "key" that climbs out of /proc/sys.
      {"sysctl ../../../tmp/pwned 1", "not a sysctl the CLAT sets"},
      {"sysctl net/ipv6/conf/../../../../etc/passwd/accept_ra 1", "not a sysctl the CLAT sets"},
      {"sysctl kernel/core_pattern |/tmp/x", "not a sysctl the CLAT sets"},
      {"sysctl net/ipv4/ip_forward 1", "not a sysctl the CLAT sets"},
      {"sysctl net/ipv6/conf/all/accept_ra 1", "not a sysctl the CLAT sets"},
      {"sysctl net/ipv6/conf/all/forwarding 7", "not a value"},
      {"sysctl net/ipv6/conf/eth0/proxy_ndp 2", "not a value"},
      {"sysctl net/ipv6/conf/all/forwarding 1 extra", "'sysctl KEY VALUE'"},
      {"proxy eth0/../x 2001:db8::1", "not an interface name"},
      {"proxy eth0 ff02::1", "not a unicast IPv6 address"},
      {"proxy eth0 2001:db8::1junk", "not a unicast IPv6 address"},
      {"mark eth0 49575 49575", "not this CLAT's clat"},
      {"mark clat 0 49575", "nonzero"},
      {"mark clat 99999999999 1", "nonzero"},
      {"route4 clat 192.0.2.1 0", "not a native uplink"},
      {"route4 eth0 192.0.2.1 -1", "not a gateway and a metric"},
      {"chmod /etc/shadow 0666", "not a journal entry"},
      {"", "an empty line"},
      {"sysctl net/ipv6/conf/all/forwarding\t0", "control or non-ASCII"},
  };
  for (const auto& c : cases) {
    UndoJournal out;
    std::string why;
    EXPECT_FALSE(parse_undo_journal(good + c.line + "\n", "clat", out, why)) << c.line;
    EXPECT_NE(why.find(c.why), std::string::npos) << c.line << ": " << why;
    EXPECT_EQ(why.rfind("line 8: ", 0), 0u) << why;  // after the comment and six good entries
    EXPECT_TRUE(out.empty()) << c.line;
  }
}

TEST(UndoJournal, DuplicatesAndTruncationAreRefused) {
  UndoJournal out;
  std::string why;
  EXPECT_FALSE(parse_undo_journal("proxy eth0 2001:db8::1\nproxy eth0 2001:db8::2\n", "clat", out, why));
  EXPECT_EQ(why, "line 2: more than one proxy line");
  EXPECT_FALSE(parse_undo_journal("sysctl net/ipv6/conf/all/forwarding 0\nsysctl net/ipv6/conf/all/forwarding 1\n",
                                  "clat", out, why));
  EXPECT_EQ(why, "line 2: sysctl net/ipv6/conf/all/forwarding is listed twice");
  EXPECT_FALSE(parse_undo_journal("sysctl net/ipv6/conf/all/forwarding 0", "clat", out, why));
  EXPECT_NE(why.find("not ended by a newline"), std::string::npos);
  EXPECT_TRUE(parse_undo_journal("", "clat", out, why));
  EXPECT_TRUE(out.empty());
}

// Linux allows any device name but "", "." and "..", with no '/', ':' or white space
// (dev_valid_name), so "a..b" is a real uplink and its sysctl path climbs nowhere: the
// journal keeps it. Only ".." as a whole path component climbs, and that is refused.
// (The fuzzer's harness had "no '..' anywhere" as its rule and trapped on this line.)
TEST(UndoJournal, DotsInsideAnInterfaceNameAreAName) {
  UndoJournal out;
  std::string why;
  ASSERT_TRUE(parse_undo_journal("sysctl net/ipv6/conf/a..b/accept_ra 1\nproxy e..0 2001:db8::1\n", "clat", out, why))
      << why;
  ASSERT_EQ(out.sysctls.size(), 1u);
  EXPECT_EQ(out.sysctls[0].key, "net/ipv6/conf/a..b/accept_ra");
  EXPECT_EQ(out.proxy->dev, "e..0");
  for (const char* dev : {"..", "."}) {
    EXPECT_FALSE(parse_undo_journal(std::string("sysctl net/ipv6/conf/") + dev + "/accept_ra 1\n", "clat", out, why))
        << dev;
    EXPECT_NE(why.find("not a sysctl the CLAT sets"), std::string::npos) << dev << ": " << why;
    EXPECT_FALSE(parse_undo_journal(std::string("proxy ") + dev + " 2001:db8::1\n", "clat", out, why)) << dev;
    EXPECT_NE(why.find("not an interface name"), std::string::npos) << dev << ": " << why;
  }
}

}  // namespace
