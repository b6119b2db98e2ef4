// xlatd: the entry point. Picks what to do from the command line: `xlatd stats` (the
// client of a running daemon), the CLAT (`--mode clat`, or started as `clatd`) or the
// PLAT (TAYGA's command line, the default). The modes live in src/clat and src/plat over
// the shared runtime in src/runtime; only this file sees both.
#include <csignal>
#include <cstdio>
#include <iostream>

#include "clat/clat_config.hpp"
#include "clat/clat_mode.hpp"
#include "plat/plat_config.hpp"
#include "plat/plat_daemon.hpp"
#include "runtime/options.hpp"
#include "runtime/stats.hpp"

namespace {

// `xlatd stats`: the control socket given, else the one the configuration's daemon uses.
int stats_client(const xlatd::Options& o) {
  std::string path = o.control_socket;
  if (path.empty() && o.mode == "clat") {
    xlatd::clat::ClatLoad cl = xlatd::clat::load_clat_config(xlatd::clat::clat_config_file(o), o.overrides);
    if (cl.config) path = xlatd::default_control_socket(cl.config->clat_dev);
  }
  if (path.empty()) {
    xlatd::PlatLoad lr = xlatd::load_plat_config(o.config);
    if (!lr.config) {
      std::cerr << "xlatd stats: give --control-socket, or -c with the daemon's configuration\n";
      return 1;
    }
    path = xlatd::default_control_socket(lr.config->tun_device);
  }
  return xlatd::query_stats(path, o.json);
}

}  // namespace

int main(int argc, char** argv) {
  // A peer that goes away (a control or metrics client, a closed pipe to a script) is an
  // error to handle where it happens, never a reason for a daemon to die: a dead CLAT
  // leaves its sysctls and proxy entry behind, a dead PLAT its last dynamic.map unwritten.
  std::signal(SIGPIPE, SIG_IGN);
  int code = 0;
  auto opts = xlatd::parse_options(argc, argv, code);
  if (!opts) return code;
  if (opts->stats) return stats_client(*opts);
  if (opts->mode == "clat") return xlatd::clat::run_clat_mode(*opts);
  return xlatd::run_plat(*opts);
}
