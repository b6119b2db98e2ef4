// The command line: TAYGA's flags with TAYGA's meaning, plus xlatd's own.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace xlatd {

struct Options {
  std::string config = "/etc/tayga.conf";
  bool mktun = false;
  bool rmtun = false;
  bool debug_foreground = false;  // -d: debug output, stay in the foreground
  bool nodetach = false;          // -n
  std::string user;               // -u
  std::string group;              // -g
  bool chroot = false;            // -r: chroot to data-dir
  std::string pidfile;            // -p
  bool syslog = false;
  bool stdout_log = false;
  bool journal = false;
  bool debug = false;
  std::string mode = "plat";
  bool check_config = false;
  // The control socket `xlatd stats` talks to; default /run/xlatd/TUN-DEVICE.sock.
  std::string control_socket;
  // `xlatd stats [--json]`: ask a running daemon instead of starting one.
  bool stats = false;
  bool json = false;
  // CLAT mode: clatd-style key=value overrides after the options.
  std::vector<std::string> overrides;
};

// Parses argv; on --help / --version / a usage error prints and sets exit_code.
std::optional<Options> parse_options(int argc, char** argv, int& exit_code);

}  // namespace xlatd
