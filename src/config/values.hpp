// Value spellings shared by every configuration: one boolean spelling, one number
// reader, one interface-name rule, so the PLAT and the CLAT accept the same words.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace xlatd {

// yes/no, on/off, true/false, 1/0, in any case (TAYGA's and clatd's spellings both).
std::optional<bool> parse_bool(const std::string& value);
// What a refused boolean is told, for "expected ..., got 'x'" messages.
inline constexpr const char* kBoolWords = "yes or no (1/0, true/false, on/off)";

// A decimal number up to `max`; with `hex`, 0x-hexadecimal too (clatd's route-table and
// ctmark, whose defaults it writes as 0xc1a7). Empty, signed or trailing text: nothing.
std::optional<uint64_t> parse_number(const std::string& value, uint64_t max, bool hex = false);

// A Linux interface name (dev_valid_name): 1 to 15 bytes, not "." or "..", no '/',
// ':', whitespace or control characters. "" when valid, else why not.
std::string interface_name_problem(const std::string& name);

std::string lower(std::string s);
// Without leading and trailing spaces, tabs and carriage returns.
std::string trim(const std::string& s);

}  // namespace xlatd
