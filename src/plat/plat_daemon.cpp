#include "plat/plat_daemon.hpp"

#include <net/if.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "plat/plat_config.hpp"
#include "plat/map_file.hpp"
#include "io/fastpath.hpp"
#include "io/netlink.hpp"
#include "io/tun.hpp"
#include "plat/dynamic_pool.hpp"
#include "plat/privileges.hpp"
#include "runtime/engine.hpp"
#include "runtime/fast_path_switch.hpp"
#include "runtime/lifecycle.hpp"
#include "runtime/log.hpp"
#include "runtime/root_cleanup.hpp"
#include "runtime/stats.hpp"
#include "runtime/stats_server.hpp"
#include "runtime/watchdog.hpp"
#include "runtime/worker.hpp"

namespace xlatd {

namespace {

int64_t wall_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

// Reported on standard error and in the log: the start failed.
int fail(const std::string& err) {
  log::error(err);
  std::cerr << "xlatd: " << err << "\n";
  return 1;
}

// The PLAT from its checked configuration to its exit: each step of the start-up in
// its own method, in the order TAYGA does them; the main loop; the shutdown.
class PlatDaemon {
 public:
  PlatDaemon(const Options& o, const PlatConfig& cfg, std::vector<MapDirective> file_maps)
      : o_(o), cfg_(cfg), file_maps_(std::move(file_maps)), map_file_(cfg.map_file) {}
  ~PlatDaemon() {
    if (pool_event_ >= 0) ::close(pool_event_);
    if (sfd_ >= 0) ::close(sfd_);
  }

  int run(const std::vector<std::string>& map_notes);

 private:
  std::optional<int> open_tun();
  std::optional<int> open_pool();
  std::optional<int> open_sockets();
  std::optional<int> leave_root();
  void open_fast_path();
  void publish(const std::vector<MapDirective>& file_maps);
  void save_pool(const char* why);
  void take_fast_path_uses();
  void tick();
  bool on_signal(const signalfd_siginfo& si);  // false: stop
  void reload_map_file();
  void shut_down();

  const Options& o_;
  const PlatConfig& cfg_;
  std::vector<MapDirective> file_maps_;
  std::string map_file_;  // rebased inside the chroot
  std::string map_path_;  // dynamic.map, the same
  Engine engine_;
  uint32_t mtu_ = 0;
  std::unique_ptr<DynamicPoolImpl> pool_;
  FastPathSwitch fast_path_;  // loaded when `fast-path yes` and the kernel allows it
  int pool_event_ = -1;
  int control_ = -1, metrics_ = -1, sfd_ = -1;
  std::string control_path_;
  int64_t last_maintenance_ = 0;
};

std::optional<int> PlatDaemon::open_tun() {
  unsigned workers = cfg_.workers.value_or(std::max(1u, std::thread::hardware_concurrency()));
  if (workers == 0) workers = 1;  // TAYGA's "0 = single-threaded": one worker
  std::string err;
  if (!engine_.open(cfg_.tun_device, workers, cfg_.offload, err)) return fail(err);
  if (cfg_.tun_up.value_or(false) || !cfg_.tun_ip.empty() || !cfg_.tun_route.empty()) {
    Netlink nl;
    bool ok = nl.ok();
    if (!ok) err = "cannot open a netlink socket";
    for (const auto& a : cfg_.tun_ip) ok = ok && nl.add_address(cfg_.tun_device, a, err);
    if (ok && cfg_.tun_up.value_or(true)) ok = nl.link_up(cfg_.tun_device, err);
    for (const auto& r : cfg_.tun_route) ok = ok && nl.add_route(cfg_.tun_device, r, err);
    if (!ok) return fail(err);
  }
  mtu_ = engine_.read_mtu();
  return std::nullopt;
}

std::optional<int> PlatDaemon::open_pool() {
  pool_event_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (!cfg_.data_dir.empty()) {
    std::string err;
    if (!writable_data_dir(cfg_.data_dir, err)) {
      std::cerr << "xlatd: " << err << "\n";
      return 1;
    }
    map_path_ = cfg_.data_dir + "/dynamic.map";
  }
  if (!cfg_.dynamic_pool) return std::nullopt;
  DynamicPoolImpl::Options po;
  po.range = *cfg_.dynamic_pool;
  po.excluded.push_back({cfg_.ipv4_addr, 32});
  for (const auto& m : cfg_.maps) po.excluded.push_back(m.v4);
  for (const auto& m : file_maps_) po.excluded.push_back(m.v4);
  if (cfg_.log.dyn) po.log_event = [](const std::string& m) { log::info("dynamic pool: " + m); };
  // A new assignment wakes the main loop, which writes dynamic.map right away: a crash
  // a moment later loses nothing.
  // (An eventfd's write fails only when the count is near overflow: already signalled.)
  po.on_change = [fd = pool_event_] { ::eventfd_write(fd, 1); };
  pool_ = std::make_unique<DynamicPoolImpl>(std::move(po), wall_seconds());
  if (!map_path_.empty()) {
    std::vector<std::string> notes;
    pool_->load(map_path_, notes);
    for (const auto& n : notes) log::warn(n);
    auto u = pool_->usage();
    log::info("dynamic pool " + xlat::to_string(*cfg_.dynamic_pool) + ": " + std::to_string(u.active) + " active, " +
              std::to_string(u.dormant) + " dormant mappings loaded");
  }
  return std::nullopt;
}

void PlatDaemon::publish(const std::vector<MapDirective>& file_maps) {
  auto next = std::make_shared<SharedConfig>();
  next->translator = cfg_.translator(mtu_, file_maps);
  next->log = cfg_.log;
  // Each worker holds its own reference to the configuration it translates with and
  // swaps between batches; the runtime keeps the old one until no worker does (reap).
  // The fast path mirrors the same configuration, and is attached once it does; one it
  // cannot mirror takes it off the TUN (its counters stay readable).
  fast_path_.apply(next->translator, cfg_.tun_device, cfg_.dynamic_pool, cfg_.fast_path_ingress,
                   cfg_.fast_path_forward);
  engine_.runtime().publish(std::move(next));
}

// `fast-path yes`: the TC program for the TUN's egress (bpf/), loaded while still root;
// publish() fills its maps and attaches it. Anything that stops it leaves the TUN path
// alone carrying the traffic, with one line saying why.
void PlatDaemon::open_fast_path() {
  if (!cfg_.fast_path) return;
  const uint32_t pool_size = cfg_.dynamic_pool ? (uint32_t{1} << (32 - cfg_.dynamic_pool->len)) - 1 : 1;
  if (!fast_path_.open(pool_size)) return;
  // The pool's active entries go into the program's maps as they are assigned, and out
  // as they go dormant; an entry the kernel refuses leaves its host on the TUN path.
  if (pool_) {
    pool_->watch([fp = fast_path_.get()](xlat::Ipv4Addr v4, const xlat::Ipv6Addr& v6, bool active) {
      if (active) {
        (void)fp->add_pool_entry(v4, v6);
      } else {
        fp->remove_pool_entry(v4, v6);
      }
    });
  }
}

// The hosts the kernel translated for: their pool entries' last use, before expiry and
// before dynamic.map is written (the workers never saw those packets).
void PlatDaemon::take_fast_path_uses() {
  if (!fast_path_.get() || !pool_) return;
  timespec mono{};
  ::clock_gettime(CLOCK_MONOTONIC, &mono);
  const uint64_t mono_ns = static_cast<uint64_t>(mono.tv_sec) * 1000000000ull + static_cast<uint64_t>(mono.tv_nsec);
  const int64_t now = wall_seconds();
  pool_->set_now(now);  // note_use() holds stamps to the pool's clock
  for (const FastPath::PoolUse& u : fast_path_.get()->pool_uses()) {
    const uint64_t ago_ns = mono_ns > u.monotonic_ns ? mono_ns - u.monotonic_ns : 0;
    (void)pool_->note_use(u.v6, now - static_cast<int64_t>(ago_ns / 1000000000ull));
  }
}

std::optional<int> PlatDaemon::open_sockets() {
  // Opened while still root and outside any chroot; it outlives both.
  control_path_ = o_.control_socket.empty() ? default_control_socket(cfg_.tun_device) : o_.control_socket;
  std::string err;
  control_ = open_control_socket(control_path_, err);
  if (control_ < 0) log::warn(err + " (xlatd stats will not work)");
  if (!cfg_.metrics_listen.empty()) {
    metrics_ = open_metrics_socket(cfg_.metrics_listen, err);
    if (metrics_ < 0) return fail(err);
  }
  return std::nullopt;
}

std::optional<int> PlatDaemon::leave_root() {
  if (!o_.debug_foreground && !o_.nodetach && ::daemon(0, 0) != 0) {
    log::error(std::string("cannot detach: ") + std::strerror(errno));
    return 1;
  }
  write_pidfile(o_.pidfile);
  // After -u the daemon must still write dynamic.map: hand data-dir to that user.
  if (!o_.user.empty() && !cfg_.data_dir.empty()) {
    if (passwd* pw = ::getpwnam(o_.user.c_str())) {
      if (::chown(cfg_.data_dir.c_str(), pw->pw_uid, static_cast<gid_t>(-1)) != 0) {
        log::warn("cannot give " + cfg_.data_dir + " to " + o_.user + ": " + std::strerror(errno));
      }
    }
  }
  // After the drop, the control socket and the pidfile (root's directories) can only
  // be removed by a helper that stays root (root_cleanup.hpp).
  std::string err;
  const bool dropping = !o_.user.empty() || !o_.group.empty() || o_.chroot;
  if (dropping && !start_root_cleanup({control_ < 0 ? "" : control_path_, o_.pidfile}, err)) log::warn(err);
  if (!drop_privileges(o_, cfg_.data_dir, err)) {
    log::error(err);
    return 1;
  }
  // Inside the chroot, data-dir is "/".
  if (o_.chroot) {
    if (!map_path_.empty()) map_path_ = "/dynamic.map";
    if (map_file_.rfind(cfg_.data_dir + "/", 0) == 0) map_file_ = map_file_.substr(cfg_.data_dir.size());
  }
  return std::nullopt;
}

void PlatDaemon::save_pool(const char* why) {
  if (!pool_ || map_path_.empty()) return;
  std::string e;
  if (!pool_->save(map_path_, e)) {
    log::error(e);
  } else {
    log::debug(std::string("dynamic.map written (") + why + ")");
  }
}

// Every wake-up: configurations to free, the pool's clock, upkeep and persistence.
void PlatDaemon::tick() {
  engine_.runtime().reap();  // replaced configurations the workers have let go of
  const int64_t now = wall_seconds();
  if (!pool_) return;
  pool_->set_now(now);
  if (now - last_maintenance_ >= 45) {
    take_fast_path_uses();
    pool_->maintain();
    last_maintenance_ = now;
  }
  if (pool_->dirty()) save_pool("changes");
}

// SIGHUP: the map-file again. A file that cannot be read or parsed keeps the running
// maps; entries that collide are skipped or replaced as at start (merge_map_file).
void PlatDaemon::reload_map_file() {
  std::vector<MapDirective> fresh;
  if (!map_file_.empty()) {
    std::vector<ConfigError> errs;
    std::vector<MapDirective> lines = load_map_file(map_file_, errs);
    for (const auto& e : errs) log::error("map-file reload: " + e.message);
    if (!errs.empty()) {
      take_fast_path_uses();
      save_pool("SIGHUP");
      return;
    }
    std::vector<std::string> notes;
    fresh = merge_map_file(cfg_, lines, notes);
    for (const auto& n : notes) log::warn("map-file reload: " + n);
  }
  publish(fresh);
  log::info("SIGHUP: " + std::to_string(fresh.size()) + " map-file entries loaded");
  take_fast_path_uses();
  save_pool("SIGHUP");
}

bool PlatDaemon::on_signal(const signalfd_siginfo& si) {
  switch (si.ssi_signo) {
    case SIGHUP:
      reload_map_file();
      return true;
    case SIGUSR1:
      log::info(counters_line(engine_.workers(), pool_.get(), fast_path_.get()));
      return true;
    default:
      log::info(std::string("signal ") + strsignal(static_cast<int>(si.ssi_signo)) + ": stopping");
      return false;
  }
}

void PlatDaemon::shut_down() {
  fast_path_.detach();
  engine_.stop();
  take_fast_path_uses();
  if (pool_) pool_->watch(nullptr);  // the fast path goes before the pool
  save_pool("exit");
  log::info(counters_line(engine_.workers(), pool_.get(), fast_path_.get()));
  remove_pidfile(o_.pidfile);
  if (control_ >= 0) {
    ::close(control_);
    ::unlink(control_path_.c_str());
  }
}

int PlatDaemon::run(const std::vector<std::string>& map_notes) {
  log::init(o_.journal ? log::Target::Journal : o_.stdout_log ? log::Target::Stdout : log::Target::Syslog, o_.debug);
  for (const auto& w : cfg_.warnings) log::warn(w);
  for (const auto& w : map_notes) log::warn(w);
  if (auto code = open_tun()) return *code;
  if (auto code = open_pool()) return *code;
  engine_.runtime().pool = pool_.get();
  open_fast_path();
  publish(file_maps_);
  if (auto code = open_sockets()) return *code;
  if (auto code = leave_root()) return *code;
  sfd_ = signals_to_fd();  // before the workers start: they inherit the mask
  std::string err;
  if (!engine_.start(err)) {
    log::error(err);
    return 1;
  }
  log::info("xlatd " XLATD_VERSION " translating on " + cfg_.tun_device + " (MTU " + std::to_string(mtu_) +
            ") with " + engine_.describe());
  log::sd_notify("READY=1\nSTATUS=translating on " + cfg_.tun_device);
  // Control and metrics clients are served on their own thread: none can hold up this
  // loop (signals, reloads, pool saves).
  StatsServer stats_server(control_, metrics_,
                           StatsSource{cfg_.tun_device, wall_seconds(), &engine_.workers(), pool_.get(), nullptr,
                                       fast_path_.get()});
  if (!stats_server.start(err)) log::error(err);

  last_maintenance_ = wall_seconds();
  Watchdog watchdog;  // WatchdogSec= in the unit: this loop (signals, reloads, pool saves), alive
  for (bool running = true; running;) {
    watchdog.kick(Watchdog::mono_ns());
    pollfd p[2] = {{sfd_, POLLIN, 0}, {pool_event_, POLLIN, 0}};
    ::poll(p, 2, watchdog.poll_timeout_ms(1000));  // negative fds are ignored by poll
    if (p[1].revents & POLLIN) {
      eventfd_t n;
      ::eventfd_read(pool_event_, &n);  // reset; what woke us is what tick() looks at
    }
    tick();
    if (!(p[0].revents & POLLIN)) continue;
    signalfd_siginfo si{};
    if (::read(sfd_, &si, sizeof si) == sizeof si) running = on_signal(si);
  }
  log::sd_notify("STOPPING=1");
  stats_server.stop();
  shut_down();
  return 0;
}

}  // namespace

int run_plat(const Options& o) {
  // TAYGA ignores arguments that are not options; say so rather than start silently.
  for (const auto& a : o.overrides) {
    std::cerr << "xlatd: warning: ignoring argument '" << a << "' (key=value settings are for --mode clat)\n";
  }
  PlatLoad loaded = load_plat_config(o.config);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) std::cerr << "xlatd: " << e.message << "\n";
    std::cerr << "xlatd: " << loaded.errors.size() << " error" << (loaded.errors.size() == 1 ? "" : "s")
              << " in the configuration; nothing started\n";
    return 1;
  }
  const PlatConfig& cfg = *loaded.config;
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
  // The unit's ExecStartPre: data-dir made and writable where the daemon will run.
  if (o.check_data_dir) {
    std::string err;
    if (!cfg.data_dir.empty() && !writable_data_dir(cfg.data_dir, err)) {
      std::cerr << "xlatd: " << err << "\n";
      return 1;
    }
    std::cout << (cfg.data_dir.empty() ? std::string("no data-dir: nothing to keep")
                                       : "data-dir " + cfg.data_dir + ": writable") << "\n";
    if (!o.check_config) return 0;
  }
  if (o.check_config) {
    for (const auto& w : cfg.warnings) std::cerr << "xlatd: warning: " << w << "\n";
    for (const auto& w : map_notes) std::cerr << "xlatd: warning: " << w << "\n";
    std::cout << cfg.describe();
    for (const auto& m : file_maps) {
      std::cout << "map " << xlat::to_string(m.v4) << " " << xlat::to_string(m.v6) << "  # " << m.where << "\n";
    }
    // Whether the kernel fast path can mirror this configuration (whether this kernel
    // loads it is only known at start).
    if (cfg.fast_path) {
      const auto refused = FastPath::unsupported(cfg.translator(1500, file_maps));
      std::cout << "# fast path: " << (refused ? "off, " + *refused : std::string("mirrors this configuration")) << "\n";
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
  PlatDaemon daemon(o, cfg, std::move(file_maps));
  return daemon.run(map_notes);
}

}  // namespace xlatd
