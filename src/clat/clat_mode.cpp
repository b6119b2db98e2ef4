#include "clat/clat_mode.hpp"

#include <unistd.h>

#include <iostream>

#include "clat/clat_config.hpp"
#include "clat/clat_daemon.hpp"

namespace xlatd::clat {

std::string clat_config_file(const Options& o) {
  if (o.config_given) return o.config;
  return ::access("/etc/clatd.conf", F_OK) == 0 ? "/etc/clatd.conf" : "";
}

int run_clat_mode(const Options& o) {
  ClatLoad cl = load_clat_config(clat_config_file(o), o.overrides);
  if (o.quiet < 2) {
    for (const auto& w : cl.warnings) std::cerr << "xlatd: warning: " << w << "\n";
  }
  // The CLAT keeps changing routes, rules and sysctls as the network moves, so it keeps
  // its privileges; saying so beats ignoring -u/-g/-r (issue 14, finding 9).
  if (!o.user.empty() || !o.group.empty() || o.chroot) {
    std::cerr << "xlatd: -u, -g and -r are not available in CLAT mode (it needs CAP_NET_ADMIN "
                 "throughout, and the xlatd-clat@ unit limits it to CAP_NET_ADMIN and CAP_NET_RAW)\n";
    return 1;
  }
  if (o.check_data_dir) {
    std::cerr << "xlatd: --check-data-dir is for PLAT mode (the CLAT keeps no data-dir)\n";
    return 1;
  }
  if (!cl.config) {
    for (const auto& e : cl.errors) std::cerr << "xlatd: " << e.message << "\n";
    return 1;
  }
  const auto& c = *cl.config;
  if (o.check_config) {
    std::cout << "# effective configuration of " << (clat_config_file(o).empty() ? "the defaults" : clat_config_file(o))
              << (o.overrides.empty() ? "" : " and the command line")
              << " (clatd.conf keys; an empty value: clatd's default behaviour)\n"
              << describe_clat_config(c);
    return 0;
  }
  return run_clat(o, c);
}

}  // namespace xlatd::clat
