// Every configuration syntax, turned into directive lines (config/directive_line.hpp):
// one lexer per syntax, so a table reads them all alike.
#pragma once

#include <string>
#include <vector>

#include "config/directive_line.hpp"

namespace xlatd {

// Lines longer than this are refused unread (TAYGA stops at 512 bytes; clatd has no
// limit, but no setting needs more), so a huge token is never echoed back.
inline constexpr size_t kMaxConfigLine = 4096;
// Why a configuration line is refused before it is read, or "": too long, or a NUL byte
// (which would end the value early wherever it is read as a C string). Every lexer of
// lines applies it.
std::string config_line_problem(const std::string& line);

// The whole file at `path`; false when it cannot be read.
bool read_text_file(const std::string& path, std::string& out);

// tayga.conf: tokens separated by spaces or tabs, a token starting with '#' ends the
// line, blank lines skipped; the first token is the directive.
std::vector<DirectiveLine> lex_tayga_conf(const std::string& text, const std::string& name,
                                          std::vector<ConfigError>& errors);

// clatd.conf (clatd's readconf): comment lines start with `#`, `;` or `//`; a setting is
// `key = value`, everything after the `=` its one argument (no inline comments: a script
// may contain `#`); any other line is a warning and ignored. `refuse` may name a line
// that means the whole file is in another format (then nothing is returned).
std::vector<DirectiveLine> lex_key_values(const std::string& text, const std::string& name,
                                          std::vector<ConfigError>& errors, std::vector<std::string>& warnings,
                                          std::string (*refuse)(const std::string& line) = nullptr);

// key=value settings given as command-line arguments, applied after the file.
std::vector<DirectiveLine> lex_command_line(const std::vector<std::string>& settings,
                                            std::vector<ConfigError>& errors);

// How a TOML document maps onto directive lines: each top-level key is a directive
// (dashes or underscores), in file order.
struct TomlForm {
  bool strings_are_words;  // a string splits on whitespace like a tayga.conf line
  const char* yes;         // how a boolean is written as an argument
  const char* no;
  // An array repeats the directive once per element where this says so; any other array
  // is the directive's arguments, or one argument joined by commas (clatd's lists).
  bool (*repeats)(const std::string& directive);
  bool join_with_commas;
};
std::vector<DirectiveLine> lex_toml(const std::string& text, const std::string& name, const TomlForm& form,
                                    std::vector<ConfigError>& errors);

}  // namespace xlatd
