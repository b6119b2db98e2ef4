// The TOML form of the configuration: each top-level key is a directive name (dashes or
// underscores), its value the arguments. Strings split on whitespace like a tayga.conf
// line; integers and booleans are written out; an array repeats a repeatable directive
// (map, tun-ip, tun-route) once per element, or gives the arguments of any other (log).
#include <toml++/toml.h>

#include <algorithm>
#include <sstream>

#include "config/directives.hpp"

namespace xlatd {

namespace {

bool repeatable(const std::string& name) {
  return name == "map" || name == "tun-ip" || name == "tun-route";
}

std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

// Scalar → words; false when the node is not a scalar we take.
bool scalar_words(const toml::node& n, std::vector<std::string>& out) {
  if (auto s = n.as_string()) {
    auto w = split_words(s->get());
    out.insert(out.end(), w.begin(), w.end());
    return true;
  }
  if (auto i = n.as_integer()) {
    out.push_back(std::to_string(i->get()));
    return true;
  }
  if (auto b = n.as_boolean()) {
    out.push_back(b->get() ? "yes" : "no");
    return true;
  }
  return false;
}

}  // namespace

std::vector<DirectiveLine> lex_toml(const std::string& text, const std::string& name,
                                    std::vector<ConfigError>& errors) {
  std::vector<DirectiveLine> out;
  toml::table root;
  try {
    root = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    errors.push_back({name + ":" + std::to_string(e.source().begin.line) + ": " +
                      std::string(e.description())});
    return out;
  }
  // toml++ iterates keys in sorted order; report in file order instead.
  std::vector<std::pair<std::string, const toml::node*>> keys;
  for (const auto& [k, v] : root) keys.emplace_back(std::string(k.str()), &v);
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    return a.second->source().begin.line < b.second->source().begin.line;
  });
  for (const auto& [key, node] : keys) {
    std::string dname = key;
    std::replace(dname.begin(), dname.end(), '_', '-');
    auto where = [&](const toml::node& n) { return name + ":" + std::to_string(n.source().begin.line); };
    if (auto arr = node->as_array()) {
      if (repeatable(dname)) {
        for (const auto& el : *arr) {
          DirectiveLine d{dname, {}, where(el)};
          if (!scalar_words(el, d.args)) {
            errors.push_back({where(el) + ": " + dname + ": expected a string"});
            continue;
          }
          out.push_back(std::move(d));
        }
      } else {
        DirectiveLine d{dname, {}, where(*node)};
        for (const auto& el : *arr) {
          if (!scalar_words(el, d.args)) errors.push_back({where(el) + ": " + dname + ": expected a string"});
        }
        out.push_back(std::move(d));
      }
      continue;
    }
    DirectiveLine d{dname, {}, where(*node)};
    if (!scalar_words(*node, d.args)) {
      errors.push_back({where(*node) + ": " + dname + ": expected a string, number or boolean"});
      continue;
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace xlatd
