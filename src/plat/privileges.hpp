// What the PLAT does as root before it gives root up: data-dir made, then -u/-g/-r
// (TAYGA's user, group and chroot to data-dir).
#pragma once

#include <string>

#include "runtime/options.hpp"

namespace xlatd {

// mkdir -p, mode 0755.
bool make_dirs(const std::string& path);
// -r, then -g, then -u; nothing to do without them.
bool drop_privileges(const Options& o, const std::string& data_dir, std::string& error);

}  // namespace xlatd
