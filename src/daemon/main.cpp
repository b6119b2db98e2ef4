// xlatd: the daemon's entry point.
#include <csignal>
#include <cstdio>

#include "daemon/daemon.hpp"
#include "daemon/options.hpp"

int main(int argc, char** argv) {
  // A peer that goes away (a control or metrics client, a closed pipe to a script) is an
  // error to handle where it happens, never a reason for a daemon to die: a dead CLAT
  // leaves its sysctls and proxy entry behind, a dead PLAT its last dynamic.map unwritten.
  std::signal(SIGPIPE, SIG_IGN);
  int code = 0;
  auto opts = xlatd::parse_options(argc, argv, code);
  if (!opts) return code;
  return xlatd::run(*opts);
}
