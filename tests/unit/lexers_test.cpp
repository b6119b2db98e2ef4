// The configuration lexers both modes share (config/lexers.hpp): tayga.conf words,
// key=value lines and command-line arguments, TOML, all into directive lines.
#include "config/lexers.hpp"

#include <gtest/gtest.h>

namespace {

using namespace xlatd;
using Args = std::vector<std::string>;

TEST(ConfigLexers, TaygaConfWordsAndComments) {
  std::vector<ConfigError> errors;
  auto lines = lex_tayga_conf("# comment\n\n  map\t1.2.3.4  2001:db8::1 # note\nprefix 64:ff9b::/96\r\n", "t", errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].name, "map");
  EXPECT_EQ(lines[0].args, (Args{"1.2.3.4", "2001:db8::1"}));
  EXPECT_EQ(lines[0].where, "t:3");
  EXPECT_EQ(lines[1].args, Args{"64:ff9b::/96"});
  auto refused = lex_tayga_conf(std::string(kMaxConfigLine + 1, 'x') + "\nok 1\n", "t", errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "t:1: the line is longer than 4096 bytes");
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].where, "t:2");
}

TEST(ConfigLexers, KeyValueLinesAndTheCommandLine) {
  std::vector<ConfigError> errors;
  std::vector<std::string> warnings;
  auto lines = lex_key_values("; c\n// c\nscript-up = /bin/x # kept\nnot a setting\nkey=\n", "c", errors, warnings);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].args, Args{"/bin/x # kept"});
  EXPECT_EQ(lines[1].args, Args{""});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "c:4: unknown line 'not a setting' ignored");
  auto cli = lex_command_line({"a = b", "oops"}, errors);
  ASSERT_EQ(cli.size(), 1u);
  EXPECT_TRUE(cli[0].command_line);
  EXPECT_EQ(cli[0].where, "command line");
  EXPECT_EQ(errors.back().message, "command line: expected key=value, got 'oops'");
}

bool repeats_item(const std::string& d) { return d == "list-item"; }

TEST(ConfigLexers, TomlInFileOrderInEitherForm) {
  const std::string text = "zeta = \"a b\"\nlist_item = [\"x 1\", \"y\"]\nalpha_key = true\nlist = [\"p\", \"q\"]\n";
  std::vector<ConfigError> errors;
  auto words = lex_toml(text, "t.toml", TomlForm{true, "yes", "no", repeats_item, false}, errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_EQ(words.size(), 5u);
  EXPECT_EQ(words[0].name, "zeta");  // file order, not toml++'s sorted order
  EXPECT_EQ(words[0].args, (Args{"a", "b"}));
  EXPECT_EQ(words[1].args, (Args{"x", "1"}));
  EXPECT_EQ(words[2].args, Args{"y"});
  EXPECT_EQ(words[3].name, "alpha-key");
  EXPECT_EQ(words[3].args, Args{"yes"});
  EXPECT_EQ(words[4].args, (Args{"p", "q"}));
  auto whole = lex_toml(text, "t.toml", TomlForm{false, "1", "0", nullptr, true}, errors);
  ASSERT_EQ(whole.size(), 4u);
  EXPECT_EQ(whole[0].args, Args{"a b"});
  EXPECT_EQ(whole[1].args, Args{"x 1,y"});
  EXPECT_EQ(whole[2].args, Args{"1"});
  EXPECT_EQ(whole[3].where, "t.toml:4");
}

}  // namespace
