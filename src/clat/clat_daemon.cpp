#include "clat/clat_daemon.hpp"

#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>

#include "clat/clat_plan.hpp"
#include "clat/dns64_probe.hpp"
#include "clat/dns64_schedule.hpp"
#include "clat/host_changes.hpp"
#include "clat/undo_journal.hpp"
#include "clat/host_probe.hpp"
#include "clat/nd_socket.hpp"
#include "clat/neutral_address.hpp"
#include "clat/pref64_tracker.hpp"
#include "runtime/engine.hpp"
#include "runtime/fast_path_switch.hpp"
#include "xlat/address_map.hpp"
#include "runtime/lifecycle.hpp"
#include "runtime/log.hpp"
#include "runtime/mode_status.hpp"
#include "runtime/safe_files.hpp"
#include "runtime/stats_server.hpp"
#include "runtime/stats.hpp"
#include "runtime/watchdog.hpp"
#include "io/netlink.hpp"
#include "xlat/rfc6052.hpp"

extern char** environ;

namespace xlatd::clat {

namespace {

int64_t mono_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec;
}

// FNV-1a: a stable seed, so the derived CLAT address stays the same across restarts
// on the same network and machine (and changes with either).
uint64_t stable_seed(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  return h;
}

// flock() on /run/xlatd/clat-<netns inode>-<dev>.lock; the descriptor stays open (and
// the lock held) for the life of the process.
bool take_device_lock(const std::string& dev, std::string& error) {
  std::string path;
  if (!clat_run_path(dev, ".lock", path, error)) return false;
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    error = "cannot open the lock " + path + ": " + std::strerror(errno);
    return false;
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    error = "another CLAT already runs on " + dev + " (it holds " + path + ")";
    return false;
  }
  return true;  // fd deliberately kept open
}

std::string env_name(std::string key) {
  for (char& ch : key) ch = ch == '-' ? '_' : ch;
  return key;
}

class ClatDaemon {
 public:
  ClatDaemon(const Options& o, const ClatConfig& c)
      : o_(o), c_(c), host_(nl_, c, [](const std::string& m) { log::info(m); },
                             [](const std::string& m) { log::error(m); }) {}
  int run();

 private:
  struct Activation {
    bool translate = false;
    xlat::Ipv6Prefix plat_prefix;
    std::string uplink;
    std::optional<xlat::Ipv6Prefix> uplink_prefix;
    friend bool operator==(const Activation&, const Activation&) = default;
  };

  Observation observe(int64_t now);
  // The host's IPv6 addresses as the kernel reports them (none, with a warning, when
  // it could not be asked).
  std::vector<Ipv6IfAddr> addresses();
  void follow_uplink(const std::string& uplink, int64_t now);
  void handle_nd(int64_t now);
  void on_nd_event(const NdEvent& ev, const std::optional<xlat::Ipv6Prefix>& own, int64_t now);
  void schedule_dns(int64_t now);
  void handle_dns_answer();
  bool handle_signal(int sfd);
  // The CLAT's turns until a signal ends them: returns the exit status.
  int follow_the_host(int sfd, NetlinkWatch& watch);
  bool apply(const Plan& p);
  bool activate(const Plan& p);
  void deactivate(const std::string& why);
  std::optional<xlat::Ipv6Addr> choose_address(const Plan& p);
  bool address_in_use(const xlat::Ipv6Addr& a);
  void publish(const std::optional<Plan>& p);
  bool run_script(const std::string& which, const std::string& script);
  // The translator's own IPv4 address: tayga-v4-addr, else the neighbour of clat-v4-addr.
  xlat::Ipv4Addr translator_address() const { return c_.translator_address(); }

  const Options& o_;
  const ClatConfig& c_;
  Netlink nl_;
  HostChanges host_;
  Engine engine_;
  FastPathSwitch fast_path_;  // loaded when `fast-path` is on and the kernel allows it
  NdSocket nd_;
  Dns64Probe dns_;
  Pref64Tracker ra_;
  log::RateLimited refused_reserved_, refused_local_, not_learned_;
  std::vector<xlat::Ipv6Prefix> dns64_;
  int64_t started_ = 0;
  Dns64Schedule dns_when_;
  Activation active_;
  Activation refused_;  // an activation whose address was in use: not retried until something changes
  ModeStatus status_;   // what the last loop turn decided, for `xlatd stats`
  bool route_on_ = false;
  xlat::Ipv6Addr clat_v6_;
  std::string probed_uplink_;  // where clat_v6_ was last claimed
  std::string last_why_, last_route_why_, last_source_;
};

void ClatDaemon::follow_uplink(const std::string& uplink, int64_t now) {
  if (uplink == nd_.ifname()) return;
  nd_.close();
  ra_.clear();  // RFC 8781 §5: a prefix belongs to the interface it was learned on
  dns64_.clear();
  dns_when_.new_uplink(now);
  if (uplink.empty()) return;
  std::string err;
  if (c_.forwarding_enable) {
    // Forwarding turns RA processing off unless accept_ra is 2, and purges the
    // RA-learned default routes of interfaces without it: keep the uplink a host.
    const std::string ra_key = "net/ipv6/conf/" + uplink + "/accept_ra";
    if (read_text_file("/proc/sys/" + ra_key).rfind("1", 0) == 0 && !host_.sysctl(ra_key, "2", err)) log::warn(err);
    if (!host_.sysctl("net/ipv6/conf/all/forwarding", "1", err)) log::error(err);
  }
  // A shared address is the host's own: the uplink answers for it already.
  if (c_.proxynd_enable && c_.clat_v6_mode != ClatConfig::V6Mode::Shared && !host_.sysctl("net/ipv6/conf/" + uplink + "/proxy_ndp", "1", err)) log::error(err);
  if (!nd_.open(uplink, err)) {
    log::warn(err + " (PREF64 from Router Advertisements will not be heard)");
    return;
  }
  log::info("uplink " + uplink + ": soliciting Router Advertisements for PREF64");
  if (!nd_.send_router_solicitation(err)) log::warn(err);
}

void ClatDaemon::handle_nd(int64_t now) {
  // A bounded amount of work per loop turn: a flood of RAs waits in the socket (and
  // the kernel drops what does not fit) instead of starving signals and lifetimes.
  constexpr int kPerTurn = 64;
  const auto own = uplink_prefix(addresses(), nd_.ifname());
  for (int i = 0; i < kPerTurn; ++i) {
    auto ev = nd_.receive();
    if (!ev) break;
    on_nd_event(*ev, own, now);
  }
}

void ClatDaemon::on_nd_event(const NdEvent& ev, const std::optional<xlat::Ipv6Prefix>& own, int64_t now) {
  if (ev.kind == NdEvent::Kind::Invalid) {
    log::debug("ignored an ND message from " + xlat::to_string(ev.source) + ": " + ev.invalid_why);
    return;
  }
  if (ev.kind != NdEvent::Kind::RouterAdvertisement || ev.pref64.empty()) return;
  // A configured plat-prefix is the operator's word: RAs do not even feed the tracker.
  if (c_.plat_prefix) return;
  std::vector<Pref64> usable;
  for (const auto& o : ev.pref64) {
    if (std::string why = pref64_problem(o.prefix, own); !why.empty()) {
      // One limit per kind of refusal (reserved space, the uplink's own prefix).
      (xlat::ipv6_reserved(o.prefix.addr) ? refused_reserved_ : refused_local_)
          .warn("PREF64 " + xlat::to_string(o.prefix) + " from " + xlat::to_string(ev.source) + " refused: " + why, now);
      continue;
    }
    usable.push_back(o);
  }
  // Routers repeat their RAs every few seconds: log what changes, not each repetition.
  const auto before = ra_.current();
  const auto before_router = ra_.current_router();
  const uint64_t not_learned = ra_.not_learned();
  ra_.on_router_advertisement(ev.source, ev.router_lifetime != 0, usable, now);
  if (ra_.not_learned() != not_learned) {
    not_learned_.warn("PREF64 from " + xlat::to_string(ev.source) + ": " +
                          std::to_string(ra_.not_learned() - not_learned) + " prefixes not learned (at most " +
                          std::to_string(Pref64Tracker::kMaxPerRouter) + " per router and " +
                          std::to_string(Pref64Tracker::kMaxEntries) + " in all)", now);
  }
  const auto after = ra_.current();
  if (after == before) return;
  if (after) {
    log::info("PREF64 " + xlat::to_string(*after) + " from " + xlat::to_string(*ra_.current_router()) + ", valid " +
              std::to_string(*ra_.remaining(now)) + " s");
  } else {
    log::info("PREF64 " + xlat::to_string(*before) + " withdrawn by " + xlat::to_string(*before_router));
  }
}

void ClatDaemon::schedule_dns(int64_t now) {
  // RFC 7050 is only needed when neither the operator nor the network named a prefix.
  const bool needed = !c_.plat_prefix && !ra_.current() && !nd_.ifname().empty();
  if (!needed) return;
  if (dns_.in_flight() && dns_when_.gave_up(now)) {
    dns_.close();
    log::info("DNS64 discovery: no answer from the resolvers; retrying in " + std::to_string(dns_when_.failed(now)) +
              " s");
  }
  if (dns_.in_flight() || !dns_when_.due(now)) return;
  std::vector<Nameserver> servers;
  for (const auto& a : c_.dns64_servers) servers.push_back({true, 0, a});
  if (servers.empty()) servers = parse_resolv_conf(read_text_file("/etc/resolv.conf"));
  std::string err;
  if (!dns_.ask(servers, err)) {
    log::warn("DNS64 discovery: " + err + "; retrying in " + std::to_string(dns_when_.failed(now)) + " s");
    return;
  }
  dns_when_.sent(now);
}

Observation ClatDaemon::observe(int64_t now) {
  Observation o;
  if (!c_.plat_dev.empty()) {
    o.uplink = if_nametoindex(c_.plat_dev.c_str()) != 0 ? c_.plat_dev : "";
  } else {
    // The uplink is where the kernel routes toward the PLAT (the configured prefix, or
    // the default route while the prefix is still unknown).
    // Asked of the kernel (RTM_GETROUTE), so policy routing counts as it does for the
    // translated packets. A route back into the CLAT's own device is no uplink.
    xlat::Ipv6Addr toward{};
    if (c_.plat_prefix) toward = c_.plat_prefix->addr;
    std::string err;
    o.uplink = nl_.route_dev6(toward, err);
    if (o.uplink == c_.clat_dev || o.uplink == "lo") o.uplink.clear();
  }
  follow_uplink(o.uplink, now);
  o.uplink_prefix = uplink_prefix(addresses(), o.uplink);
  if (ra_.expire(now)) log::info("PREF64 lifetime ran out");
  o.pref64 = ra_.current();
  o.dns64 = dns64_;
  std::vector<Ipv4DefaultRoute> v4;
  std::string err;
  if (!nl_.ipv4_default_routes(v4, err)) log::warn(err);
  for (const auto& r : v4) {
    if (r.dev != c_.clat_dev) o.native_ipv4 = true;
  }
  o.conncheck_waited = now - started_ >= static_cast<int64_t>(c_.v4_conncheck_delay);
  return o;
}

std::vector<Ipv6IfAddr> ClatDaemon::addresses() {
  std::vector<Ipv6IfAddr> out;
  std::string err;
  if (!nl_.ipv6_addresses(out, err)) log::warn(err);
  return out;
}

bool ClatDaemon::address_in_use(const xlat::Ipv6Addr& a) {
  // Our own address a moment ago (the prefix source changed, not the link): still ours.
  if (a == clat_v6_ && nd_.ifname() == probed_uplink_) return false;
  // RFC 4862 §5.4: one Neighbor Solicitation, then RetransTimer (1 s) for an answer.
  std::string err;
  if (!nd_.send_neighbor_solicitation(a, err)) {
    log::warn(err + "; claiming without a duplicate check");
    return false;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  const auto own = uplink_prefix(addresses(), nd_.ifname());
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{nd_.fd(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    while (auto ev = nd_.receive()) {
      if (ev->kind == NdEvent::Kind::NeighborAdvertisement && ev->target == a) return true;
      on_nd_event(*ev, own, mono_seconds());  // RAs keep counting while we wait
    }
  }
}

std::optional<xlat::Ipv6Addr> ClatDaemon::choose_address(const Plan& p) {
  if (c_.clat_v6_mode == ClatConfig::V6Mode::Shared) {
    // The host's own address: nothing to claim, nothing to probe.
    auto a = uplink_address(addresses(), p.uplink);
    if (!a) log::error("no usable global IPv6 address on " + p.uplink + " to share");
    return a;
  }
  if (c_.clat_v6_mode == ClatConfig::V6Mode::Fixed) {
    if (address_in_use(c_.clat_v6_addr)) {
      log::error("clat-v6-addr " + xlat::to_string(c_.clat_v6_addr) + " is already in use on " + p.uplink);
      return std::nullopt;
    }
    return c_.clat_v6_addr;
  }
  const std::string machine = read_text_file("/etc/machine-id");
  for (unsigned attempt = 0; attempt < 4; ++attempt) {
    const uint64_t seed = stable_seed(machine + xlat::to_string(*p.uplink_prefix) + xlat::to_string(p.plat_prefix) +
                                      std::to_string(attempt));
    const ClatAddress a = neutral_clat_address(*p.uplink_prefix, c_.clat_v4_addr, p.plat_prefix, seed);
    if (address_in_use(a.address)) {
      log::warn("derived CLAT address " + xlat::to_string(a.address) + " is in use on " + p.uplink + "; trying another");
      continue;
    }
    if (!a.neutral) {
      log::info("prefix " + xlat::to_string(p.plat_prefix) +
                " splits IPv4 addresses across 16-bit words: checksums are adjusted per packet");
    }
    return a.address;
  }
  log::error("no free CLAT address in " + xlat::to_string(*p.uplink_prefix) + " after 4 tries");
  return std::nullopt;
}

void ClatDaemon::publish(const std::optional<Plan>& p) {
  auto s = std::make_shared<SharedConfig>();
  s->translator = c_.translator(engine_.mtu(), p ? std::optional(p->plat_prefix) : std::nullopt, clat_v6_);
  // The kernel fast path mirrors the same configuration (with no PLAT prefix it maps
  // nothing, and everything goes up to the worker, which drops it as before).
  fast_path_.apply(s->translator, c_.clat_dev);
  engine_.runtime().publish(std::move(s));
}

bool ClatDaemon::run_script(const std::string& which, const std::string& script) {
  if (script.empty()) return true;
  // clatd's contract: every setting in the environment, '-' spelled '_', with the
  // values found at run time (address, prefix, uplink) where clatd has them too.
  std::map<std::string, std::string> vars = c_.settings;
  vars["clat-v6-addr"] = xlat::to_string(clat_v6_);
  vars["plat-prefix"] = xlat::to_string(active_.plat_prefix);
  vars["plat-dev"] = active_.uplink;
  vars["tayga-v4-addr"] = xlat::to_string(translator_address());
  vars["script"] = which;
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    bool replaced = std::any_of(vars.begin(), vars.end(), [&](const auto& kv) { return env_name(kv.first) == name; });
    if (!replaced) env.push_back(std::move(entry));
  }
  for (const auto& [k, v] : vars) env.push_back(env_name(k) + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string sh = "/bin/sh", dash_c = "-c", cmd = script;
  char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
  pid_t pid = 0;
  if (::posix_spawn(&pid, "/bin/sh", nullptr, nullptr, argv, envp.data()) != 0) {
    log::error(which + ": cannot start /bin/sh");
    return false;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    log::error(which + " '" + script + "' failed (status " + std::to_string(status) + ")");
    return false;
  }
  log::info(which + " '" + script + "' done");
  return true;
}

void ClatDaemon::deactivate(const std::string& why) {
  if (!active_.translate) return;
  run_script("script-down", c_.script_down);
  std::string err;
  if (!host_.default_route(false, err)) log::error(err);
  route_on_ = false;
  host_.release();
  publish(std::nullopt);
  log::info("CLAT stopped translating: " + why);
  active_ = Activation{};
}

bool ClatDaemon::activate(const Plan& p) {
  auto a = choose_address(p);
  if (!a) return false;
  clat_v6_ = *a;
  probed_uplink_ = p.uplink;
  std::string err;
  if (c_.clat_v6_mode == ClatConfig::V6Mode::Shared ? !host_.share(p.uplink, clat_v6_, p.plat_prefix, err)
                        : !host_.claim(p.uplink, clat_v6_, err)) {
    log::error(err);
    host_.release();
    return false;
  }
  publish(p);
  active_ = {true, p.plat_prefix, p.uplink, p.uplink_prefix};
  log::sd_notify("STATUS=translating via " + xlat::to_string(p.plat_prefix) + " (" + p.prefix_source + ")");
  log::info("CLAT translating " + xlat::to_string(c_.clat_v4_addr) + " <-> " + xlat::to_string(clat_v6_) +
            ", IPv4 Internet via " + xlat::to_string(p.plat_prefix) + " (" + p.prefix_source + ") on " + p.uplink);
  return true;
}

// Makes the host match the plan. Returns false only on a fatal error (script-up failed).
bool ClatDaemon::apply(const Plan& p) {
  const Activation want{p.translate, p.plat_prefix, p.uplink, p.uplink_prefix};
  if (!p.translate) {
    deactivate(p.why);
    if (p.why != last_why_) log::info("CLAT idle: " + p.why);
    last_source_.clear();
    last_why_ = p.why;
    refused_ = Activation{};
    return true;
  }
  if (!(want == active_)) {
    deactivate("the plan changed: " + p.why);
    if (want == refused_) return true;
    if (!activate(p)) {
      refused_ = want;
      return true;
    }
    last_why_ = p.why;
    if (!run_script("script-up", c_.script_up)) return false;
  }
  if (p.prefix_source != last_source_) {
    // The same prefix from another source (DNS64 first, then the RA's PREF64): nothing
    // to redo, but say where it comes from now.
    log::info("PLAT prefix " + xlat::to_string(p.plat_prefix) + " (" + p.prefix_source + ")");
    last_source_ = p.prefix_source;
  }
  if (p.default_route != route_on_) {
    std::string err;
    if (host_.default_route(p.default_route, err)) {
      route_on_ = p.default_route;
      log::info(std::string("IPv4 default route via ") + c_.clat_dev + (p.default_route ? " added" : " removed") +
                ": " + p.route_why);
    } else {
      log::error(err);
    }
  } else if (p.route_why != last_route_why_ && !p.default_route) {
    log::info("no IPv4 default route via " + c_.clat_dev + ": " + p.route_why);
  }
  last_route_why_ = p.route_why;
  return true;
}

// An RFC 7050 answer: its prefixes, by the same rule as PREF64's (nothing inside the
// uplink's own prefix), become the DNS64 candidates until their TTL runs out.
void ClatDaemon::handle_dns_answer() {
  auto found = dns_.receive();
  if (!found) return;
  const auto own = uplink_prefix(addresses(), nd_.ifname());
  std::erase_if(*found, [&](const xlat::Ipv6Prefix& f) {
    const std::string why = pref64_problem(f, own);
    if (!why.empty()) log::warn("DNS64 prefix " + xlat::to_string(f) + " refused: " + why);
    return !why.empty();
  });
  dns64_ = *found;
  dns_when_.answered(mono_seconds(), dns_.answer_ttl(), !dns64_.empty());
  std::string list;
  for (const auto& f : dns64_) list += " " + xlat::to_string(f);
  log::info("DNS64 discovery (RFC 7050):" + (list.empty() ? std::string(" no NAT64 prefix") : list) +
            (list.empty() ? "" : ", TTL " + std::to_string(dns_.answer_ttl()) + " s"));
}

// SIGUSR1 logs the counters, SIGHUP asks resolvers and routers again, the rest stop the
// CLAT. Returns false when it is to stop.
bool ClatDaemon::handle_signal(int sfd) {
  signalfd_siginfo si{};
  if (::read(sfd, &si, sizeof si) != sizeof si) return true;
  if (si.ssi_signo == SIGUSR1) {
    log::info(counters_line(engine_.workers(), nullptr, fast_path_.get()));
  } else if (si.ssi_signo == SIGHUP) {
    log::info("SIGHUP: asking the resolvers and routers again");
    dns_when_.ask_now();
    std::string e;
    if (nd_.fd() >= 0) nd_.send_router_solicitation(e);
  } else {
    log::info(std::string("signal ") + strsignal(static_cast<int>(si.ssi_signo)) + ": stopping");
    return false;
  }
  return true;
}

int ClatDaemon::follow_the_host(int sfd, NetlinkWatch& watch) {
  bool running = true;
  Watchdog watchdog;  // WatchdogSec= in the unit: this loop, alive
  while (running) {
    watchdog.kick(Watchdog::mono_ns());
    const int64_t now = mono_seconds();
    schedule_dns(now);
    const Plan plan = decide(c_, observe(now));
    if (!apply(plan)) return 1;
    status_.turn(active_.translate ? "translating" : refused_.translate ? "refused" : "idle",
                 active_.translate || !refused_.translate ? plan.why : "the CLAT address is in use or could not be added");
    engine_.runtime().reap();  // replaced configurations the worker has let go of
    std::vector<pollfd> p = {{sfd, POLLIN, 0}, {watch.fd(), POLLIN, 0}, {nd_.fd(), POLLIN, 0}};
    dns_.add_poll_fds(p);
    // Negative fds are ignored; the timeout drives lifetimes, retries and the watchdog.
    ::poll(p.data(), p.size(), watchdog.poll_timeout_ms(1000));
    if (p[1].revents & POLLIN) watch.drain();
    if (p[2].revents & POLLIN) handle_nd(mono_seconds());
    bool dns_ready = false;
    for (size_t i = 3; i < p.size(); ++i) dns_ready = dns_ready || p[i].revents != 0;
    if (dns_ready) handle_dns_answer();
    if (p[0].revents & POLLIN) running = handle_signal(sfd);
  }
  return 0;
}

int ClatDaemon::run() {
  // clatd writes to standard output and never detaches; xlatd's --syslog / --journal and
  // --detach are there for those who want them.
  const bool to_stdout = o_.stdout_log || (!o_.syslog && !o_.journal && !o_.detach);
  log::init(o_.journal ? log::Target::Journal : to_stdout ? log::Target::Stdout : log::Target::Syslog,
            o_.debug || c_.debug > 0);
  log::set_quiet(std::max<int>(o_.quiet, static_cast<int>(c_.quiet)));
  std::string err;
  auto fail = [&](const std::string& e) {
    log::error(e);
    std::cerr << "xlatd: " << e << "\n";
    return 1;
  };
  if (!nl_.ok()) return fail("cannot open a netlink socket");
  NetlinkWatch watch;
  if (watch.fd() < 0) return fail("cannot subscribe to netlink notifications");
  const std::string control_path =
      o_.control_socket.empty() ? default_control_socket(c_.clat_dev) : o_.control_socket;
  // One CLAT per device: a second one must not run the first one's journal recovery
  // (it would undo the running CLAT's sysctls and proxy entry) before finding the TUN
  // busy. The lock is per network namespace and device, held until exit.
  if (!take_device_lock(c_.clat_dev, err)) return fail(err);
  // The undo journal lives in the root-only run directory beside the lock, never where
  // --control-socket points (a directory others may write to).
  std::string journal;
  if (!clat_run_path(c_.clat_dev, ".undo", journal, err)) return fail(err);
  HostChanges::recover(journal, c_.clat_dev, nl_, [](const std::string& m) { log::info(m); },
                       [](const std::string& m) { log::error(m); });
  host_.set_journal(journal);
  // One worker: a CLAT carries one host's (or one LAN's) IPv4 traffic.
  if (!engine_.open(c_.clat_dev, 1, true, err)) return fail(err);
  xlat::IpPrefix v4;
  v4.v4 = {c_.clat_v4_addr, 32};
  if (!nl_.link_up(c_.clat_dev, err) || !nl_.add_address(c_.clat_dev, v4, err)) return fail(err);
  engine_.read_mtu();
  // The TC program for the CLAT device's egress, loaded while root (as the PLAT's).
  if (c_.fast_path) fast_path_.open();
  publish(std::nullopt);

  int control = open_control_socket(control_path, err);
  if (control < 0) log::warn(err + " (xlatd stats will not work)");
  if (o_.detach && ::daemon(0, 0) != 0) return fail("cannot detach");
  write_pidfile(o_.pidfile);
  const int sfd = signals_to_fd();  // before the worker starts: it inherits the mask
  if (!engine_.start(err)) return fail(err);
  log::info("xlatd " XLATD_VERSION " CLAT on " + c_.clat_dev + " (" + xlat::to_string(c_.clat_v4_addr) + ", MTU " +
            std::to_string(engine_.mtu()) + ") with " + engine_.describe());
  log::sd_notify("READY=1\nSTATUS=CLAT on " + c_.clat_dev);
  // `xlatd stats` clients are served on their own thread: none can hold up this loop.
  StatsServer stats_server(control, -1, StatsSource{c_.clat_dev, static_cast<int64_t>(std::time(nullptr)),
                                                    &engine_.workers(), nullptr, &status_, fast_path_.get()});
  if (!stats_server.start(err)) log::error(err);

  started_ = mono_seconds();
  const int exit_code = follow_the_host(sfd, watch);
  log::sd_notify("STOPPING=1");
  stats_server.stop();
  deactivate("stopping");
  fast_path_.detach();
  engine_.stop();
  host_.undo_all();
  log::info(counters_line(engine_.workers(), nullptr, fast_path_.get()));
  remove_pidfile(o_.pidfile);
  if (control >= 0) {
    ::close(control);
    ::unlink(control_path.c_str());
  }
  return exit_code;
}

}  // namespace

int run_clat(const Options& o, const ClatConfig& c) {
  ClatDaemon d(o, c);
  return d.run();
}

}  // namespace xlatd::clat
