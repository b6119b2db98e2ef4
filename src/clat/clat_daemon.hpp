// `xlatd --mode clat`: the CLAT daemon. It owns the TUN with the CLAT's IPv4 address,
// follows the host (netlink), the network's PREF64 announcements and DNS64, and makes
// the host match clat_plan's decision each time something changes; at exit it undoes
// everything it did.
#pragma once

#include "clat/clat_config.hpp"
#include "runtime/options.hpp"

namespace xlatd::clat {

int run_clat(const Options& o, const ClatConfig& c);

}  // namespace xlatd::clat
