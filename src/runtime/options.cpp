#include "runtime/options.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace xlatd {

namespace {

const char* kDescription = R"(xlatd - stateless NAT64 / 464XLAT translator (RFC 7915) over a multi-queue TUN

xlatd translates between IPv4 and IPv6 like TAYGA and reads the same configuration
file (tayga.conf) and the same command line, so it can replace tayga where it runs.
The same settings can also be given as a TOML file.

With --mode clat it is a 464XLAT CLAT for an IPv6-only host instead (clatd's settings,
from -c clatd.conf and/or key=value arguments): it finds the PLAT prefix (PREF64, then
DNS64), claims its own IPv6 address and gives IPv4 applications a route.)";

const char* kFooter = R"(COMMANDS
  xlatd stats [--json]       counters of the running daemon: per worker and in total, every
                             drop reason with its explanation, dynamic pool usage

SIGNALS
  SIGTERM, SIGINT  stop: dynamic.map is written, workers finish their batch
  SIGHUP           reload map-file and write dynamic.map, without dropping traffic
  SIGUSR1          log the counters

FILES
  /etc/tayga.conf            default configuration (tayga.conf syntax; TOML if it ends in .toml)
  DATA-DIR/dynamic.map       dynamic pool mappings (TAYGA's format)

EXAMPLES
  xlatd --check-config -c /etc/tayga.conf   validate and print the effective configuration
  xlatd --mktun -c /etc/tayga.conf          create the persistent multi-queue TUN device
  xlatd -n -c /etc/tayga.conf               run in the foreground

See README.md for the TAYGA migration notes.)";

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int& exit_code) {
  Options o;
  CLI::App app{kDescription, "xlatd"};
  app.footer(kFooter);
  // TAYGA's getopt habits: an option given twice takes its last value.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.set_version_flag("--version", std::string("xlatd ") + XLATD_VERSION);
  // Started under clatd's name, xlatd is clatd: scripts and units that call it work.
  std::string self = argc > 0 ? argv[0] : "xlatd";
  self = self.substr(self.rfind('/') + 1);
  if (self == "clatd") o.mode = "clat";
  auto* config = app.add_option("-c,--config", o.config,
                                "Configuration file (default /etc/tayga.conf; CLAT mode: /etc/clatd.conf when it exists)");
  auto* mk = app.add_flag("--mktun", o.mktun, "Create the persistent TUN device named in the configuration, then exit");
  auto* rm = app.add_flag("--rmtun", o.rmtun, "Remove the persistent TUN device, then exit");
  mk->excludes(rm);
  // TAYGA: -d and --debug are one option (debug messages on stdout, in the foreground).
  app.add_flag_function("-d,--debug", [&](std::int64_t n) { o.debug_level = static_cast<int>(n); },
                        "Debug: log debug messages to stdout and stay in the foreground (CLAT mode: repeat for more)")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag_function("-q,--quiet", [&](std::int64_t n) { o.quiet = static_cast<int>(n); },
                        "CLAT mode (clatd's -q): only warnings and errors; twice: nothing")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("--detach", o.detach, "CLAT mode: go to the background (clatd never does; the default is to stay)");
  app.add_flag("-n,--nodetach", o.nodetach, "Stay in the foreground");
  auto* u = app.add_option("-u,--user", o.user, "Drop privileges to this user after setting up");
  auto* g = app.add_option("-g,--group", o.group, "Drop privileges to this group after setting up");
  // -r needs -u; TAYGA says so after reading the configuration (plat/plat_daemon.cpp).
  auto* r = app.add_flag("-r,--chroot", o.chroot, "chroot to data-dir after setting up (needs -u)");
  app.add_option("-p,--pidfile", o.pidfile, "Write the process id to this file");
  auto* sl = app.add_flag("--syslog", o.syslog, "Log to syslog (the default)");
  auto* so = app.add_flag("--stdout", o.stdout_log, "Log to standard output");
  auto* jo = app.add_flag("--journal", o.journal, "Log to the systemd journal and notify systemd (Type=notify)");
  sl->excludes(so)->excludes(jo);
  so->excludes(jo);
  app.add_option("--mode", o.mode, "plat (a TAYGA-style translator) or clat")->check(CLI::IsMember({"plat", "clat"}));
  app.add_flag("--check-config", o.check_config, "Validate the configuration, print the effective settings and exit");
  app.add_flag("--check-data-dir", o.check_data_dir,
               "PLAT mode: create data-dir if missing, prove it writable (dynamic.map lives there) and exit");
  app.add_option("overrides", o.overrides,
                 "CLAT mode: clatd.conf settings as key=value, applied after -c (ignored otherwise, as TAYGA ignores stray arguments)");
  app.add_option("--control-socket", o.control_socket,
                 "Unix socket for `xlatd stats` (default /run/xlatd/TUN-DEVICE.sock)");
  auto* stats = app.add_subcommand("stats", "Print the counters of the running daemon (same -c or --control-socket)");
  stats->add_flag("--json", o.json, "As JSON");
  stats->add_option("--control-socket", o.control_socket, "The daemon's control socket");
  stats->add_option("-c,--config", o.config, "The daemon's configuration (finds its socket)");
  for (auto* opt : {u, g, static_cast<CLI::Option*>(r)}) {
    mk->excludes(opt);
    rm->excludes(opt);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // TAYGA exits 1 on a usage error and after -h; --version is a success.
    int code = app.exit(e);
    exit_code = e.get_name() == "CallForVersion" ? code : 1;
    return std::nullopt;
  }
  o.stats = stats->parsed();
  o.config_given = config->count() > 0;
  o.debug_foreground = o.debug_level > 0;
  if (o.debug_foreground) {
    o.debug = true;
    if (!o.syslog && !o.journal) o.stdout_log = true;
  }
  exit_code = 0;
  return o;
}

}  // namespace xlatd
