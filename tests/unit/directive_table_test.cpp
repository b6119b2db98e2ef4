// The configuration system both modes share: the lexers (config/lexers.hpp) and the
// directive-table engine (config/directive_table.hpp), on a toy struct so each rule of
// the engine is seen apart from either mode's table.
#include <gtest/gtest.h>

#include "config/directive_table.hpp"
#include "config/lexers.hpp"

namespace {

using namespace xlatd;

struct Toy {
  std::string name = "default";
  std::vector<std::string> items;
  int level = 0;
  bool derived = true;
};
using Ctx = DirectiveContext<Toy>;
using Args = std::vector<std::string>;

const std::vector<Directive<Toy>>& toy_table(Repeat name_repeat) {
  static std::vector<Directive<Toy>> t;
  t = {
      {"name", 1, 1, name_repeat, [](Ctx& c, const Args& a) { c.target.name = a[0]; },
       [](const Toy& t, Shown& s) {
         s.values.push_back(t.name);
         if (t.derived) s.derived_note = "made up";
       }, true},
      {"list-item", 1, 2, Repeat::EachAdds, [](Ctx& c, const Args& a) { c.target.items.push_back(a[0]); },
       [](const Toy& t, Shown& s) { s.values = t.items; }},
      {"level", 1, -1, Repeat::Refused, [](Ctx& c, const Args& a) {
         auto n = parse_number(a[0], 9);
         if (!n) return c.error("expected 0 to 9, got '" + a[0] + "'");
         c.target.level = static_cast<int>(*n);
       }, nullptr, false, "accepted and not used: toys have no levels"},
  };
  return t;
}

constexpr TableRules kStrict{"directive", false, false, " "};
constexpr TableRules kLenient{"key", true, true, "="};

DirectiveLine line(std::string name, Args args, int n, bool command_line = false) {
  return {std::move(name), std::move(args), command_line ? "command line" : "f:" + std::to_string(n), command_line};
}

TEST(DirectiveTable, UnknownNamesAreErrorsOrWarningsByTheTablesRule) {
  std::vector<DirectiveLine> lines = {line("colour", {"red"}, 1), line("colour", {"red"}, 0, true)};
  auto strict = apply_directives<Toy>(toy_table(Repeat::Refused), kStrict, lines);
  ASSERT_EQ(strict.errors.size(), 2u);
  EXPECT_EQ(strict.errors[0].message, "f:1: unknown directive 'colour'");
  auto lenient = apply_directives<Toy>(toy_table(Repeat::Refused), kLenient, lines);
  ASSERT_EQ(lenient.warnings.size(), 1u);
  EXPECT_EQ(lenient.warnings[0], "f:1: unknown key 'colour' ignored");
  ASSERT_EQ(lenient.errors.size(), 1u);
  EXPECT_EQ(lenient.errors[0].message, "command line: unknown key 'colour'");
}

TEST(DirectiveTable, NamesMatchInAnyCaseAndUnderscoresWhereTheRuleSays) {
  std::vector<DirectiveLine> lines = {line("NAME", {"x"}, 1), line("List_Item", {"y"}, 2)};
  auto strict = apply_directives<Toy>(toy_table(Repeat::Refused), kStrict, lines);
  EXPECT_EQ(strict.target.name, "x");
  ASSERT_EQ(strict.errors.size(), 1u);
  EXPECT_EQ(strict.errors[0].message, "f:2: unknown directive 'List_Item'");
  auto lenient = apply_directives<Toy>(toy_table(Repeat::Refused), kLenient, lines);
  EXPECT_TRUE(lenient.errors.empty());
  EXPECT_EQ(lenient.target.items, Args{"y"});
}

TEST(DirectiveTable, ArgumentCounts) {
  std::vector<DirectiveLine> lines = {line("name", {}, 1), line("list-item", {"a", "b", "c"}, 2), line("level", {}, 3)};
  auto r = apply_directives<Toy>(toy_table(Repeat::Refused), kStrict, lines);
  ASSERT_EQ(r.errors.size(), 3u);
  EXPECT_EQ(r.errors[0].message, "f:1: name: expects 1 argument, got 0");
  EXPECT_EQ(r.errors[1].message, "f:2: list-item: expects 1 to 2 arguments, got 3");
  EXPECT_EQ(r.errors[2].message, "f:3: level: expects at least 1 argument, got 0");
}

TEST(DirectiveTable, RepetitionIsRefusedAddsOrReplacesByTheDirective) {
  std::vector<DirectiveLine> lines = {line("name", {"a"}, 1), line("name", {"b"}, 2), line("list-item", {"x"}, 3),
                                      line("list-item", {"y"}, 4)};
  auto refused = apply_directives<Toy>(toy_table(Repeat::Refused), kStrict, lines);
  ASSERT_EQ(refused.errors.size(), 1u);
  EXPECT_EQ(refused.errors[0].message, "f:2: name: given twice (first at f:1)");
  EXPECT_EQ(refused.target.name, "a");
  EXPECT_EQ(refused.target.items, (Args{"x", "y"}));
  auto last = apply_directives<Toy>(toy_table(Repeat::LastWins), kStrict, lines);
  EXPECT_TRUE(last.errors.empty());
  EXPECT_EQ(last.target.name, "b");
  EXPECT_EQ(last.given.at("name").where, "f:2");
}

TEST(DirectiveTable, AnEmptyValueKeepsTheDefaultWhereTheDirectiveSays) {
  auto r = apply_directives<Toy>(toy_table(Repeat::Refused), kLenient, {line("name", {""}, 1), line("list-item", {""}, 2)});
  EXPECT_EQ(r.target.name, "default");
  EXPECT_EQ(r.target.items, Args{""});
}

TEST(DirectiveTable, AnUnusedDirectiveIsNotedOnlyWhenItsValueIsGood) {
  auto good = apply_directives<Toy>(toy_table(Repeat::Refused), kStrict, {line("level", {"3"}, 1)});
  ASSERT_EQ(good.warnings.size(), 1u);
  EXPECT_EQ(good.warnings[0], "f:1: level: accepted and not used: toys have no levels");
  auto bad = apply_directives<Toy>(toy_table(Repeat::Refused), kStrict, {line("level", {"x"}, 1)});
  EXPECT_TRUE(bad.warnings.empty());
  ASSERT_EQ(bad.errors.size(), 1u);
  EXPECT_EQ(bad.errors[0].message, "f:1: level: expected 0 to 9, got 'x'");
}

TEST(DirectiveTable, ShowPrintsInTableOrderInTheTablesSyntax) {
  Toy t;
  t.items = {"a", "b"};
  EXPECT_EQ(show_directives<Toy>(toy_table(Repeat::Refused), kStrict, t), "# name default  (made up)\nlist-item a\nlist-item b\n");
  t.derived = false;
  EXPECT_EQ(show_directives<Toy>(toy_table(Repeat::Refused), kLenient, t), "name=default\nlist-item=a\nlist-item=b\n");
}

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
