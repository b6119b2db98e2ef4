// The table of configuration directives. Both syntaxes (tayga.conf lines and TOML keys)
// become a list of DirectiveLine and go through this one table, so they accept the same
// settings with the same rules and the same messages.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace xlatd {

struct DirectiveLine {
  std::string name;               // as written (matched case-insensitively)
  std::vector<std::string> args;
  std::string where;              // "file:line"
};

// Applies every line to a fresh Config and validates the result. Collects all errors
// (like the maintained TAYGA) rather than stopping at the first.
// `whole_file` false: the lines are a fragment (a map-file), so the rules that need a
// whole configuration (required directives, overlaps) are not applied.
LoadResult apply_directives(const std::vector<DirectiveLine>& lines, const std::string& source,
                            bool whole_file = true);

// Splits tayga.conf text into directive lines: tokens separated by spaces or tabs, a
// token starting with '#' ends the line, blank lines skipped.
// Lines refused unread (config_line_problem) land in errors.
std::vector<DirectiveLine> lex_tayga_conf(const std::string& text, const std::string& name,
                                          std::vector<ConfigError>& errors);

// Reads TOML text into directive lines (keys are directive names; arrays repeat a
// directive or give several arguments). Syntax errors land in errors.
std::vector<DirectiveLine> lex_toml(const std::string& text, const std::string& name,
                                    std::vector<ConfigError>& errors);

}  // namespace xlatd
