// TAYGA's map-file: extra `map` lines kept in their own file, read at start and again on
// SIGHUP, merged under the configuration file's own maps.
#pragma once

#include <string>
#include <vector>

#include "plat/plat_config.hpp"

namespace xlatd {

// Parses the file: `map` lines only, each checked like a tayga.conf `map`. Errors carry
// file:line; with any error the result is empty (the running maps stay).
std::vector<MapDirective> load_map_file(const std::string& path, std::vector<ConfigError>& errors);

// The map-file entries that take effect beside `cfg`, in TAYGA's order of precedence:
// - an entry that overlaps a tayga.conf map on either side is skipped (the
//   configuration file wins; an identical entry is simply already there);
// - one that names ipv4-addr or ipv6-addr, or whose IPv6 side lies in the prefix, is
//   skipped (those addresses are the translator's own or the prefix's);
// - within the file, a later entry replaces every earlier one it overlaps on either side.
// Each skipped or replaced entry adds a line to `notes` ("file:line: map ...: why").
std::vector<MapDirective> merge_map_file(const PlatConfig& cfg, const std::vector<MapDirective>& file,
                                         std::vector<std::string>& notes);

}  // namespace xlatd
