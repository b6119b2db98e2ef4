// The command line: TAYGA's flags with TAYGA's meaning, plus xlatd's own.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace xlatd {

struct Options {
  std::string config = "/etc/tayga.conf";
  bool config_given = false;      // -c was on the command line
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
  // clatd's output levels: -d (repeatable) and -q (repeatable), CLAT mode.
  int debug_level = 0;
  int quiet = 0;
  // CLAT mode stays in the foreground, as clatd does; --detach sends it to the background.
  bool detach = false;
  std::string mode = "plat";
  bool check_config = false;
  bool check_data_dir = false;  // PLAT: data-dir made if missing and writable, then exit
  // The control socket `xlatd stats` talks to; default /run/xlatd/TUN-DEVICE.sock.
  std::string control_socket;
  // `xlatd stats [--json]`: ask a running daemon instead of starting one.
  bool stats = false;
  bool json = false;
  // CLAT mode: clatd-style key=value overrides after the options.
  std::vector<std::string> overrides;
};

// Parses argv; on --help / --version / a usage error prints and sets exit_code.
// Started as `clatd` (argv[0], e.g. a symlink), the default mode is clat.
std::optional<Options> parse_options(int argc, char** argv, int& exit_code);

}  // namespace xlatd
