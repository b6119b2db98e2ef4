// xlatd: the daemon's entry point.
#include <cstdio>

#include "daemon/daemon.hpp"
#include "daemon/options.hpp"

int main(int argc, char** argv) {
  int code = 0;
  auto opts = xlatd::parse_options(argc, argv, code);
  if (!opts) return code;
  return xlatd::run(*opts);
}
