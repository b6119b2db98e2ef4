// What every configuration source becomes before it is read: directive lines with
// file:line, whichever syntax they were written in (tayga.conf, clatd.conf, TOML, the
// command line). config/lexers.hpp makes them; config/directive_table.hpp reads them.
#pragma once

#include <string>
#include <vector>

namespace xlatd {

struct DirectiveLine {
  std::string name;               // as written
  std::vector<std::string> args;
  std::string where;              // "file:line", or "command line"
  bool command_line = false;      // given as an argument, not read from a file
};

struct ConfigError {
  std::string message;  // "file:line: directive: what is wrong"
};

}  // namespace xlatd
