// The directive-table engine both modes' configurations run on
// (config/directive_table.hpp), on a toy struct so each rule of the engine is seen apart
// from either mode's table.
#include "config/directive_table.hpp"

#include <gtest/gtest.h>

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

}  // namespace
