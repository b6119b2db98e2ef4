// What root made outside the reach of the user the daemon becomes (-u/-g/-r): the
// control socket and the pidfile live in root's directories (/run/xlatd, /run), so the
// daemon can no longer remove them at exit and they were left behind.
//
// start_root_cleanup() forks, before the privileges go, a helper that keeps root and
// does nothing else: it holds no descriptor but its end of a pipe, ignores the stop
// signals, and when the daemon's end closes (any exit, kill -9 included) removes each
// path that is still the very file the daemon made (same device and inode), then exits.
#pragma once

#include <string>
#include <vector>

namespace xlatd {

bool start_root_cleanup(const std::vector<std::string>& paths, std::string& error);

}  // namespace xlatd
