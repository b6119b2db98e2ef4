// What the PLAT does as root before it gives root up: data-dir made, then -u/-g/-r
// (TAYGA's user, group and chroot to data-dir).
#pragma once

#include <string>

#include "runtime/options.hpp"

namespace xlatd {

// mkdir -p, mode 0755.
bool make_dirs(const std::string& path);
// data-dir made if missing, then proved writable (a file created and removed in it):
// dynamic.map must be kept, so a read-only data-dir (a unit's ProtectSystem, a
// read-only mount) stops the start with this reason instead of losing the pool's state.
bool writable_data_dir(const std::string& path, std::string& error);
// -r, then -g, then -u; nothing to do without them.
bool drop_privileges(const Options& o, const std::string& data_dir, std::string& error);

}  // namespace xlatd
