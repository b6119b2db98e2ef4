// Start-up, the main loop (signals, pool upkeep, persistence) and shutdown.
#pragma once

#include "daemon/options.hpp"

namespace xlatd {

int run(const Options& opts);

}  // namespace xlatd
