// TAYGA's map-file: which entries take effect, as its suite (mapfile.py) expects.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "plat/plat_config.hpp"
#include "plat/map_file.hpp"
#include "temp_path.hpp"

namespace {

using xlatd::MapDirective;

xlatd::PlatConfig conf(const std::string& maps) {
  auto r = xlatd::parse_plat_text("tun-device nat64\nipv4-addr 172.16.0.3\nprefix 3fff:6464::/96\n" + maps,
                                    "tayga.conf", false);
  EXPECT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0].message);
  return *r.config;
}

std::vector<MapDirective> lines(const std::string& text) {
  const xlat::test::TempFile file("tayga.map");
  const std::string& path = file.path;
  std::ofstream(path) << text;
  std::vector<xlatd::ConfigError> errors;
  auto maps = xlatd::load_map_file(path, errors);
  EXPECT_TRUE(errors.empty()) << errors[0].message;
  return maps;
}

std::vector<std::string> effect(const xlatd::PlatConfig& c, const std::string& text,
                                std::vector<std::string>* notes = nullptr) {
  std::vector<std::string> n;
  std::vector<std::string> out;
  for (const auto& m : xlatd::merge_map_file(c, lines(text), n)) {
    out.push_back(xlat::to_string(m.v4) + " " + xlat::to_string(m.v6));
  }
  if (notes) *notes = n;
  return out;
}

using V = std::vector<std::string>;

TEST(MapFile, ALaterLineReplacesTheEarlierOnesItOverlaps) {
  auto c = conf("");
  // Same IPv6 side: the later wins.
  EXPECT_EQ(effect(c, "map 192.168.2.1 2001:db8:1::1\nmap 192.168.2.3 2001:db8:1::1\n"),
            (V{"192.168.2.3/32 2001:db8:1::1/128"}));
  // Same IPv4 side.
  EXPECT_EQ(effect(c, "map 192.168.2.2 2001:db8:1::2\nmap 192.168.2.2 2001:db8:1::1\n"),
            (V{"192.168.2.2/32 2001:db8:1::1/128"}));
  // A wider net replaces the host inside it, and a host after the net replaces the net.
  EXPECT_EQ(effect(c, "map 192.168.2.1 2001:db8:1::3\nmap 192.168.2.0/30 2001:db8:1::/126\n"),
            (V{"192.168.2.0/30 2001:db8:1::/126"}));
  std::vector<std::string> notes;
  EXPECT_EQ(effect(c, "map 192.168.2.0/30 2001:db8:1::/126\nmap 192.168.2.3 2001:db8:1::3\n", &notes),
            (V{"192.168.2.3/32 2001:db8:1::3/128"}));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("tayga.map:1: map 192.168.2.0/30 2001:db8:1::/126: replaced by "), std::string::npos);
  // Independent entries all stay, in order.
  EXPECT_EQ(effect(c, "map 192.168.2.1 2001:db8:1::1\nmap 192.168.2.2 2001:db8:1::2\n"),
            (V{"192.168.2.1/32 2001:db8:1::1/128", "192.168.2.2/32 2001:db8:1::2/128"}));
}

TEST(MapFile, TheConfigurationFileWins) {
  auto c = conf("map 192.168.2.2 2001:db8:1::3\n");
  std::vector<std::string> notes;
  EXPECT_EQ(effect(c, "map 192.168.2.1 2001:db8:1::1\nmap 192.168.2.2 2001:db8:1::2\n", &notes),
            (V{"192.168.2.1/32 2001:db8:1::1/128"}));
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("skipped, overlaps tayga.conf:4"), std::string::npos);
  // An identical entry is already there: nothing to add, nothing to warn about.
  notes.clear();
  EXPECT_EQ(effect(c, "map 192.168.2.2 2001:db8:1::3\n", &notes), V{});
  EXPECT_TRUE(notes.empty());
}

TEST(MapFile, TheTranslatorsOwnAddressesAndThePrefixAreNotMapped) {
  auto c = conf("");
  EXPECT_EQ(effect(c, "map 172.16.0.3 2001:db8:1::2\n"), V{});
  EXPECT_EQ(effect(c, "map 192.168.2.2 3fff:6464::69\n"), V{});
}

TEST(MapFile, OverlapsAreNotErrorsButOtherLinesAre) {
  const xlat::test::TempFile file("bad.map");
  const std::string& path = file.path;
  std::ofstream(path) << "map 192.168.2.1 2001:db8:1::1\nprefix 3fff::/96\n";
  std::vector<xlatd::ConfigError> errors;
  EXPECT_TRUE(xlatd::load_map_file(path, errors).empty());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, path + ":2: only map lines belong in a map-file, not 'prefix'");
}

}  // namespace
