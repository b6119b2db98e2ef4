// The PLAT (TAYGA's drop-in): tayga.conf and the map-file read and checked,
// --check-config and --mktun/--rmtun, then the daemon: start-up, the main loop (signals,
// pool upkeep, persistence) and shutdown.
#pragma once

#include "runtime/options.hpp"

namespace xlatd {

// The process's exit status.
int run_plat(const Options& opts);

}  // namespace xlatd
