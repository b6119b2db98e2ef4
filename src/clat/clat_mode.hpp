// `xlatd --mode clat` (or started as `clatd`): clatd.conf and key=value arguments read
// and checked, --check-config printed, then the CLAT daemon run.
#pragma once

#include <string>

#include "runtime/options.hpp"

namespace xlatd::clat {

// CLAT mode reads -c FILE, else /etc/clatd.conf when it exists (clatd's default), else
// nothing (clatd's defaults).
std::string clat_config_file(const Options& o);

// The process's exit status.
int run_clat_mode(const Options& o);

}  // namespace xlatd::clat
