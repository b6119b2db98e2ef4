// The one engine that reads configurations: a table of directives for one target struct
// (the PLAT's tayga.conf settings, the CLAT's clatd.conf keys), applied to directive
// lines from any lexer. The table owns what every directive shares: its name, how many
// arguments it takes, whether it may be given again, how it sets the struct, how its
// effective value is shown (--check-config), and the messages for each of those rules,
// always "file:line: name: what".
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "config/directive_line.hpp"
#include "config/values.hpp"

namespace xlatd {

// What a directive given a second time does.
enum class Repeat {
  Refused,   // TAYGA: "given twice"
  EachAdds,  // map, tun-ip, tun-route: every line is one more entry
  LastWins,  // clatd: a later line (or the command line) replaces the value
};

// The rules of one table, beyond its directives.
struct TableRules {
  const char* word;             // "directive" or "key", in messages
  bool unknown_warns_in_files;  // clatd: an unknown key in a file is ignored with a warning
                                // (on the command line it is an error); TAYGA: always an error
  bool underscores_are_dashes;  // clatd: v4_conncheck_enable is v4-conncheck-enable
  const char* separator;        // between name and value when shown: " " or "="
};

template <typename T>
struct Applied {
  T target;
  std::vector<ConfigError> errors;    // every problem, in line order
  std::vector<std::string> warnings;  // "file:line: name: ..."
  struct Given {
    std::string where;
    std::vector<std::string> args;
  };
  std::map<std::string, Given> given;  // the last line of each directive, by its table name
};

// What a directive's handler sees: the struct it fills and the line it reads.
template <typename T>
class DirectiveContext {
 public:
  DirectiveContext(Applied<T>& out, const DirectiveLine& line, const char* name)
      : target(out.target), line(line), out_(out), name_(name) {}
  T& target;
  const DirectiveLine& line;
  void error(const std::string& what) { out_.errors.push_back({line.where + ": " + name_ + ": " + what}); }
  void warn(const std::string& what) { out_.warnings.push_back(line.where + ": " + name_ + ": " + what); }

 private:
  Applied<T>& out_;
  const char* name_;
};

// A directive's effective value, as --check-config prints it: one line per value, or a
// commented line with a note for a value the program derived (written out, it would be
// a different configuration).
struct Shown {
  std::vector<std::string> values;
  std::string derived_note;  // non-empty: the values are derived, printed as comments
};

template <typename T>
struct Directive {
  const char* name;
  int min_args = 1;
  int max_args = 1;  // -1: any number
  Repeat repeat = Repeat::Refused;
  std::function<void(DirectiveContext<T>&, const std::vector<std::string>&)> apply;
  std::function<void(const T&, Shown&)> show;  // empty: never shown
  bool empty_keeps_default = false;  // clatd: `key=` (an undefined key) keeps the default
  const char* unused = nullptr;      // accepted and not used: why (warned once per line)
};

// Applies every line to `target` in order. Unknown names, wrong argument counts and
// refused repetitions are reported here; values by each directive's handler. All errors
// are collected (like the maintained TAYGA), not just the first.
template <typename T>
Applied<T> apply_directives(std::span<const Directive<T>> table, const TableRules& rules,
                            const std::vector<DirectiveLine>& lines, T target = {}) {
  Applied<T> out{std::move(target), {}, {}, {}};
  for (const auto& l : lines) {
    std::string name = lower(l.name);
    if (rules.underscores_are_dashes) std::replace(name.begin(), name.end(), '_', '-');
    const Directive<T>* d = nullptr;
    for (const auto& candidate : table) {
      if (name == candidate.name) d = &candidate;
    }
    if (d == nullptr) {
      std::string what = l.where + ": unknown " + rules.word + " '" + l.name + "'";
      if (rules.unknown_warns_in_files && !l.command_line) {
        out.warnings.push_back(what + " ignored");
      } else {
        out.errors.push_back({what});
      }
      continue;
    }
    DirectiveContext<T> c(out, l, d->name);
    int n = static_cast<int>(l.args.size());
    if (n < d->min_args || (d->max_args >= 0 && n > d->max_args)) {
      std::string want = d->min_args == d->max_args ? std::to_string(d->min_args)
                         : d->max_args < 0          ? "at least " + std::to_string(d->min_args)
                                           : std::to_string(d->min_args) + " to " + std::to_string(d->max_args);
      bool one = want == "1" || want == "at least 1";
      c.error("expects " + want + " argument" + (one ? "" : "s") + ", got " + std::to_string(n));
      continue;
    }
    auto [it, fresh] = out.given.try_emplace(d->name, typename Applied<T>::Given{l.where, l.args});
    if (!fresh) {
      if (d->repeat == Repeat::Refused) {
        c.error("given twice (first at " + it->second.where + ")");
        continue;
      }
      it->second = {l.where, l.args};
    }
    if (d->empty_keeps_default && n == 1 && l.args[0].empty()) continue;
    size_t errors_before = out.errors.size();
    d->apply(c, l.args);
    if (d->unused != nullptr && out.errors.size() == errors_before) c.warn(d->unused);
  }
  return out;
}

// The effective configuration as lines of the table's own syntax, in table order:
// "name value" (or "name=value"); derived values commented out with their note.
template <typename T>
std::string show_directives(std::span<const Directive<T>> table, const TableRules& rules, const T& target) {
  std::string s;
  for (const auto& d : table) {
    if (!d.show) continue;
    Shown shown;
    d.show(target, shown);
    for (const auto& v : shown.values) {
      bool derived = !shown.derived_note.empty();
      s += (derived ? "# " : "") + std::string(d.name) + rules.separator + v +
           (derived ? "  (" + shown.derived_note + ")" : "") + "\n";
    }
  }
  return s;
}

}  // namespace xlatd
