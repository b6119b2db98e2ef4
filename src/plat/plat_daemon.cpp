#include "plat/plat_daemon.hpp"

#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "config/map_file.hpp"
#include "plat/dynamic_pool.hpp"
#include "runtime/log.hpp"
#include "runtime/root_cleanup.hpp"
#include "runtime/safe_files.hpp"
#include "runtime/stats.hpp"
#include "runtime/stats_server.hpp"
#include "runtime/engine.hpp"
#include "runtime/worker.hpp"
#include "io/netlink.hpp"
#include "io/offload.hpp"
#include "io/tun.hpp"
#include "io/uring_queue.hpp"

namespace xlatd {

namespace {

int64_t wall_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

bool make_dirs(const std::string& path) {
  std::string cur;
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '/') {
      cur = path.substr(0, i);
      if (::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
  }
  return true;
}

bool drop_privileges(const Options& o, const std::string& data_dir, std::string& error) {
  if (o.user.empty() && o.group.empty() && !o.chroot) return true;
  gid_t gid = 0;
  uid_t uid = 0;
  passwd* pw = nullptr;
  if (!o.user.empty()) {
    pw = ::getpwnam(o.user.c_str());
    if (pw == nullptr) {
      error = "-u: no user " + o.user;
      return false;
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  }
  if (!o.group.empty()) {
    group* gr = ::getgrnam(o.group.c_str());
    if (gr == nullptr) {
      error = "-g: no group " + o.group;
      return false;
    }
    gid = gr->gr_gid;
  }
  if (o.chroot) {
    if (data_dir.empty()) {
      error = "-r needs data-dir in the configuration";
      return false;
    }
    if (::chroot(data_dir.c_str()) != 0 || ::chdir("/") != 0) {
      error = "chroot to " + data_dir + ": " + std::strerror(errno);
      return false;
    }
  }
  if (gid != 0 && (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0)) {
    error = std::string("setgid: ") + std::strerror(errno);
    return false;
  }
  if (uid != 0 && ::setuid(uid) != 0) {
    error = std::string("setuid: ") + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

int run_plat(const Options& o) {
  // TAYGA ignores arguments that are not options; say so rather than start silently.
  for (const auto& a : o.overrides) {
    std::cerr << "xlatd: warning: ignoring argument '" << a << "' (key=value settings are for --mode clat)\n";
  }
  LoadResult loaded = load_config(o.config);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) std::cerr << "xlatd: " << e.message << "\n";
    std::cerr << "xlatd: " << loaded.errors.size() << " error" << (loaded.errors.size() == 1 ? "" : "s")
              << " in the configuration; nothing started\n";
    return 1;
  }
  const Config& cfg = *loaded.config;
  std::vector<MapDirective> file_maps;
  std::vector<std::string> map_notes;  // map-file entries skipped or replaced
  if (!cfg.map_file.empty()) {
    std::vector<ConfigError> errs;
    file_maps = merge_map_file(cfg, load_map_file(cfg.map_file, errs), map_notes);
    if (!errs.empty()) {
      for (const auto& e : errs) std::cerr << "xlatd: " << e.message << "\n";
      return 1;
    }
  }
  // TAYGA checks this once the configuration is read (a bad file is reported first).
  if (o.chroot && o.user.empty()) {
    std::cerr << "xlatd: --chroot requires --user\n";
    return 1;
  }
  if (o.check_config) {
    for (const auto& w : cfg.warnings) std::cerr << "xlatd: warning: " << w << "\n";
    for (const auto& w : map_notes) std::cerr << "xlatd: warning: " << w << "\n";
    std::cout << cfg.describe();
    for (const auto& m : file_maps) {
      std::cout << "map " << xlat::to_string(m.v4) << " " << xlat::to_string(m.v6) << "  # " << m.where << "\n";
    }
    return 0;
  }
  if (o.mktun || o.rmtun) {
    std::string err;
    bool ok = o.mktun ? make_persistent_tun(cfg.tun_device, err) : remove_persistent_tun(cfg.tun_device, err);
    if (!ok) {
      std::cerr << "xlatd: " << err << "\n";
      return 1;
    }
    std::cout << (o.mktun ? "Created" : "Removed") << " persistent tun device " << cfg.tun_device << "\n";
    return 0;
  }

  log::init(o.journal ? log::Target::Journal : o.stdout_log ? log::Target::Stdout : log::Target::Syslog,
            o.debug);
  for (const auto& w : cfg.warnings) log::warn(w);
  for (const auto& w : map_notes) log::warn(w);

  unsigned workers = cfg.workers.value_or(std::max(1u, std::thread::hardware_concurrency()));
  if (workers == 0) workers = 1;  // TAYGA's "0 = single-threaded": one worker
  Engine engine;
  std::string err;
  if (!engine.open(cfg.tun_device, workers, cfg.offload, err)) {
    log::error(err);
    std::cerr << "xlatd: " << err << "\n";
    return 1;
  }

  if (cfg.tun_up.value_or(false) || !cfg.tun_ip.empty() || !cfg.tun_route.empty()) {
    Netlink nl;
    bool ok = nl.ok();
    if (!ok) err = "cannot open a netlink socket";
    for (const auto& a : cfg.tun_ip) ok = ok && nl.add_address(cfg.tun_device, a, err);
    if (ok && cfg.tun_up.value_or(true)) ok = nl.link_up(cfg.tun_device, err);
    for (const auto& r : cfg.tun_route) ok = ok && nl.add_route(cfg.tun_device, r, err);
    if (!ok) {
      log::error(err);
      std::cerr << "xlatd: " << err << "\n";
      return 1;
    }
  }
  const uint32_t mtu = engine.read_mtu();

  std::unique_ptr<DynamicPoolImpl> pool;
  std::string map_path;
  const int pool_event = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (!cfg.data_dir.empty()) {
    if (!make_dirs(cfg.data_dir)) {
      std::cerr << "xlatd: cannot create data-dir " << cfg.data_dir << ": " << std::strerror(errno) << "\n";
      return 1;
    }
    map_path = cfg.data_dir + "/dynamic.map";
  }
  if (cfg.dynamic_pool) {
    DynamicPoolImpl::Options po;
    po.range = *cfg.dynamic_pool;
    po.excluded.push_back({cfg.ipv4_addr, 32});
    for (const auto& m : cfg.maps) po.excluded.push_back(m.v4);
    for (const auto& m : file_maps) po.excluded.push_back(m.v4);
    if (cfg.log.dyn) po.log_event = [](const std::string& m) { log::info("dynamic pool: " + m); };
    // A new assignment wakes the main loop, which writes dynamic.map right away: a crash
    // a moment later loses nothing.
    po.on_change = [fd = pool_event] {
      uint64_t one = 1;
      (void)::write(fd, &one, sizeof one);
    };
    pool = std::make_unique<DynamicPoolImpl>(std::move(po), wall_seconds());
    if (!map_path.empty()) {
      std::vector<std::string> notes;
      pool->load(map_path, notes);
      for (const auto& n : notes) log::warn(n);
      auto u = pool->usage();
      log::info("dynamic pool " + xlat::to_string(*cfg.dynamic_pool) + ": " + std::to_string(u.active) +
                " active, " + std::to_string(u.dormant) + " dormant mappings loaded");
    }
  }

  Runtime& rt = engine.runtime();
  rt.pool = pool.get();
  auto shared = std::make_shared<SharedConfig>();
  shared->translator = cfg.translator(mtu, file_maps);
  shared->log = cfg.log;
  rt.publish(shared);

  // Opened while still root and outside any chroot; it outlives both.
  const std::string control_path =
      o.control_socket.empty() ? default_control_socket(cfg.tun_device) : o.control_socket;
  int control = open_control_socket(control_path, err);
  if (control < 0) log::warn(err + " (xlatd stats will not work)");
  int metrics = -1;
  if (!cfg.metrics_listen.empty()) {
    metrics = open_metrics_socket(cfg.metrics_listen, err);
    if (metrics < 0) {
      log::error(err);
      std::cerr << "xlatd: " << err << "\n";
      return 1;
    }
  }

  if (!o.debug_foreground && !o.nodetach) {
    if (::daemon(0, 0) != 0) {
      log::error(std::string("cannot detach: ") + std::strerror(errno));
      return 1;
    }
  }
  if (!o.pidfile.empty()) {
    std::string err;
    if (!write_new_file(o.pidfile, std::to_string(::getpid()) + "\n", 0644, err)) log::error("pidfile: " + err);
  }
  // After -u the daemon must still write dynamic.map: hand data-dir to that user.
  if (!o.user.empty() && !cfg.data_dir.empty()) {
    if (passwd* pw = ::getpwnam(o.user.c_str())) {
      if (::chown(cfg.data_dir.c_str(), pw->pw_uid, static_cast<gid_t>(-1)) != 0) {
        log::warn("cannot give " + cfg.data_dir + " to " + o.user + ": " + std::strerror(errno));
      }
    }
  }
  // After the drop, the control socket and the pidfile (root's directories) can only
  // be removed by a helper that stays root (root_cleanup.hpp).
  const bool dropping = !o.user.empty() || !o.group.empty() || o.chroot;
  if (dropping && !start_root_cleanup({control < 0 ? "" : control_path, o.pidfile}, err)) log::warn(err);
  if (!drop_privileges(o, cfg.data_dir, err)) {
    log::error(err);
    return 1;
  }
  // Inside the chroot, data-dir is "/".
  std::string map_file = cfg.map_file;
  if (o.chroot) {
    if (!map_path.empty()) map_path = "/dynamic.map";
    if (map_file.rfind(cfg.data_dir + "/", 0) == 0) map_file = map_file.substr(cfg.data_dir.size());
  }

  // Signals are read from a signalfd by this thread only.
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT}) sigaddset(&mask, s);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  int sfd = ::signalfd(-1, &mask, SFD_CLOEXEC);

  if (!engine.start(err)) {
    log::error(err);
    return 1;
  }
  log::info("xlatd " XLATD_VERSION " translating on " + cfg.tun_device + " (MTU " + std::to_string(mtu) + ") with " +
            engine.describe());
  log::sd_notify("READY=1\nSTATUS=translating on " + cfg.tun_device);

  auto save_pool = [&](const char* why) {
    if (!pool || map_path.empty()) return;
    std::string e;
    if (!pool->save(map_path, e)) {
      log::error(e);
    } else {
      log::debug(std::string("dynamic.map written (") + why + ")");
    }
  };

  // Control and metrics clients are served on their own thread: none can hold up this
  // loop (signals, reloads, pool saves).
  StatsServer stats_server(control, metrics, StatsSource{cfg.tun_device, wall_seconds(), &engine.workers(), pool.get()});
  if (!stats_server.start(err)) log::error(err);

  int64_t last_maintenance = wall_seconds();
  bool running = true;
  while (running) {
    pollfd p[2] = {{sfd, POLLIN, 0}, {pool_event, POLLIN, 0}};
    ::poll(p, 2, 1000);  // negative fds are ignored by poll
    if (p[1].revents & POLLIN) {
      uint64_t n;
      (void)::read(pool_event, &n, sizeof n);
    }
    rt.reap();  // replaced configurations the workers have let go of
    int64_t now = wall_seconds();
    if (pool) {
      pool->set_now(now);
      if (now - last_maintenance >= 45) {
        pool->maintain();
        last_maintenance = now;
      }
      if (pool->dirty()) save_pool("changes");
    }
    if (!(p[0].revents & POLLIN)) continue;
    signalfd_siginfo si{};
    if (::read(sfd, &si, sizeof si) != sizeof si) continue;
    switch (si.ssi_signo) {
      case SIGHUP: {
        // Reload map-file: a file that cannot be read or parsed keeps the running maps;
        // entries that collide are skipped or replaced as at start (merge_map_file).
        std::vector<MapDirective> fresh;
        if (!map_file.empty()) {
          std::vector<ConfigError> errs;
          std::vector<MapDirective> lines = load_map_file(map_file, errs);
          for (const auto& e : errs) log::error("map-file reload: " + e.message);
          if (!errs.empty()) {
            save_pool("SIGHUP");
            break;
          }
          std::vector<std::string> notes;
          fresh = merge_map_file(cfg, lines, notes);
          for (const auto& n : notes) log::warn("map-file reload: " + n);
        }
        auto next = std::make_shared<SharedConfig>();
        next->translator = cfg.translator(mtu, fresh);
        next->log = cfg.log;
        // Each worker holds its own reference to the configuration it translates with
        // and swaps between batches, so the old one lives exactly as long as needed.
        rt.publish(next);
        log::info("SIGHUP: " + std::to_string(fresh.size()) + " map-file entries loaded");
        save_pool("SIGHUP");
        break;
      }
      case SIGUSR1:
        log::info(counters_line(engine.workers(), pool.get()));
        break;
      default:
        log::info(std::string("signal ") + strsignal(static_cast<int>(si.ssi_signo)) + ": stopping");
        running = false;
    }
  }
  log::sd_notify("STOPPING=1");
  stats_server.stop();
  engine.stop();
  save_pool("exit");
  log::info(counters_line(engine.workers(), pool.get()));
  if (!o.pidfile.empty()) ::unlink(o.pidfile.c_str());
  if (control >= 0) {
    ::close(control);
    ::unlink(control_path.c_str());
  }
  return 0;
}

}  // namespace xlatd
