#include "config/values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace xlatd {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  size_t b = s.find_last_not_of(" \t\r");
  return s.substr(a, b - a + 1);
}

std::optional<bool> parse_bool(const std::string& value) {
  std::string v = lower(value);
  if (v == "yes" || v == "on" || v == "true" || v == "1") return true;
  if (v == "no" || v == "off" || v == "false" || v == "0") return false;
  return std::nullopt;
}

std::optional<uint64_t> parse_number(const std::string& value, uint64_t max, bool hex) {
  const char* b = value.data();
  const char* e = value.data() + value.size();
  int base = 10;
  if (hex && value.size() > 2 && value[0] == '0' && (value[1] == 'x' || value[1] == 'X')) {
    b += 2;
    base = 16;
  }
  uint64_t n = 0;
  auto [p, ec] = std::from_chars(b, e, n, base);
  if (ec != std::errc() || p != e || b == e || n > max) return std::nullopt;
  return n;
}

std::string interface_name_problem(const std::string& name) {
  if (name.empty() || name.size() > 15) return "interface names are 1 to 15 characters";
  if (name == "." || name == "..") return "'" + name + "' is not an interface name";
  for (unsigned char ch : name) {
    if (ch == '/' || ch == ':' || ch <= ' ' || ch == 0x7f) {
      return "'" + name + "' is not an interface name (no '/', ':', spaces or control characters)";
    }
  }
  return "";
}

}  // namespace xlatd
