#include "config/lexers.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "config/values.hpp"

namespace xlatd {

std::string config_line_problem(const std::string& line) {
  if (line.size() > kMaxConfigLine) return "the line is longer than " + std::to_string(kMaxConfigLine) + " bytes";
  if (line.find('\0') != std::string::npos) return "the line contains a NUL byte";
  return "";
}

bool read_text_file(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream s;
  s << f.rdbuf();
  out = s.str();
  return true;
}

namespace {

// Calls `each(line, where)` for every line not refused by config_line_problem.
template <typename Each>
void for_each_line(const std::string& text, const std::string& name, std::vector<ConfigError>& errors,
                   Each each) {
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    std::string where = name + ":" + std::to_string(++n);
    if (std::string why = config_line_problem(line); !why.empty()) {
      errors.push_back({where + ": " + why});
      continue;
    }
    if (!each(line, where)) return;
  }
}

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i >= line.size() || line[i] == '#') break;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

std::vector<DirectiveLine> lex_tayga_conf(const std::string& text, const std::string& name,
                                          std::vector<ConfigError>& errors) {
  std::vector<DirectiveLine> out;
  for_each_line(text, name, errors, [&](const std::string& line, const std::string& where) {
    std::vector<std::string> tokens = words(line);
    if (!tokens.empty()) {
      out.push_back({tokens[0], std::vector<std::string>(tokens.begin() + 1, tokens.end()), where});
    }
    return true;
  });
  return out;
}

std::vector<DirectiveLine> lex_key_values(const std::string& text, const std::string& name,
                                          std::vector<ConfigError>& errors, std::vector<std::string>& warnings,
                                          std::string (*refuse)(const std::string& line)) {
  std::vector<DirectiveLine> out;
  for_each_line(text, name, errors, [&](const std::string& line, const std::string& where) {
    std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';' || t.rfind("//", 0) == 0) return true;
    if (refuse != nullptr) {
      if (std::string why = refuse(t); !why.empty()) {
        errors.push_back({where + ": " + why});
        out.clear();
        return false;
      }
    }
    auto eq = t.find('=');
    std::string key = eq == std::string::npos ? "" : trim(t.substr(0, eq));
    bool word = !key.empty() && std::all_of(key.begin(), key.end(), [](unsigned char ch) {
      return std::isalnum(ch) || ch == '_' || ch == '-';
    });
    if (!word) {
      warnings.push_back(where + ": unknown line '" + t + "' ignored");
      return true;
    }
    out.push_back({key, {trim(t.substr(eq + 1))}, where});
    return true;
  });
  return out;
}

std::vector<DirectiveLine> lex_command_line(const std::vector<std::string>& settings,
                                            std::vector<ConfigError>& errors) {
  std::vector<DirectiveLine> out;
  for (const auto& s : settings) {
    auto eq = s.find('=');
    if (eq == std::string::npos) {
      errors.push_back({"command line: expected key=value, got '" + s + "'"});
      continue;
    }
    out.push_back({trim(s.substr(0, eq)), {trim(s.substr(eq + 1))}, "command line", true});
  }
  return out;
}

namespace {

// A scalar as arguments; false when the node is not a scalar.
bool scalar_args(const toml::node& n, const TomlForm& form, std::vector<std::string>& out) {
  if (auto s = n.as_string()) {
    if (!form.strings_are_words) {
      out.push_back(s->get());
      return true;
    }
    std::istringstream in(s->get());
    std::string w;
    while (in >> w) out.push_back(w);
    return true;
  }
  if (auto i = n.as_integer()) {
    out.push_back(std::to_string(i->get()));
    return true;
  }
  if (auto b = n.as_boolean()) {
    out.push_back(b->get() ? form.yes : form.no);
    return true;
  }
  return false;
}

}  // namespace

std::vector<DirectiveLine> lex_toml(const std::string& text, const std::string& name, const TomlForm& form,
                                    std::vector<ConfigError>& errors) {
  std::vector<DirectiveLine> out;
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    errors.push_back({name + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description())});
    return out;
  }
  // toml++ iterates keys in sorted order; read them in file order instead.
  std::vector<std::pair<std::string, const toml::node*>> keys;
  for (const auto& [k, v] : root) keys.emplace_back(std::string(k.str()), &v);
  std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    return a.second->source().begin.line < b.second->source().begin.line;
  });
  auto where = [&](const toml::node& n) { return name + ":" + std::to_string(n.source().begin.line); };
  for (const auto& [key, node] : keys) {
    std::string directive = key;
    std::replace(directive.begin(), directive.end(), '_', '-');
    const auto* arr = node->as_array();
    if (arr == nullptr) {
      DirectiveLine d{directive, {}, where(*node)};
      if (!scalar_args(*node, form, d.args)) {
        errors.push_back({d.where + ": " + directive + ": expected a string, number, boolean or list"});
        continue;
      }
      out.push_back(std::move(d));
      continue;
    }
    if (form.repeats != nullptr && form.repeats(directive)) {
      for (const auto& el : *arr) {
        DirectiveLine d{directive, {}, where(el)};
        if (!scalar_args(el, form, d.args)) {
          errors.push_back({d.where + ": " + directive + ": expected a string"});
          continue;
        }
        out.push_back(std::move(d));
      }
      continue;
    }
    DirectiveLine d{directive, {}, where(*node)};
    std::vector<std::string> elements;
    for (const auto& el : *arr) {
      if (!scalar_args(el, form, elements)) errors.push_back({where(el) + ": " + directive + ": expected a string"});
    }
    if (!form.join_with_commas) {
      d.args = std::move(elements);
    } else {
      std::string joined;
      for (const auto& e : elements) joined += (joined.empty() ? "" : ",") + e;
      d.args = {joined};
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace xlatd
