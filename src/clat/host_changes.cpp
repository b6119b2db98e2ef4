#include "clat/host_changes.hpp"

#include "clat/conntrack_mark.hpp"
#include "clat/undo_journal.hpp"
#include "runtime/safe_files.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace xlatd::clat {

namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool write_file(const std::string& path, const std::string& value) {
  std::ofstream out(path);
  out << value << "\n";
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace

bool HostChanges::sysctl(const std::string& key, const std::string& value, std::string& error) {
  const std::string path = "/proc/sys/" + key;
  const std::string old = trimmed(read_text_file(path));
  if (old == value) return true;
  if (!write_file(path, value)) {
    error = "cannot set " + key + " to " + value;
    return false;
  }
  bool known = false;
  for (const auto& s : sysctls_) known = known || s.first == key;
  if (!known) {
    sysctls_.emplace_back(key, old);
    save_journal();
  }
  info_("sysctl " + key + " = " + value + " (was " + old + ")");
  return true;
}

Netlink::Route HostChanges::clat_route() const {
  Netlink::Route r;
  r.dst.v6 = false;
  r.dst.v4 = {0, 0};
  r.ifname = c_.clat_dev;
  r.table = c_.route_table.value_or(254);
  r.metric = c_.v4_defaultroute_metric;
  r.mtu = c_.v4_defaultroute_mtu;
  // clatd: advmss defaults to the MTU less the IPv4 and TCP headers.
  r.advmss = c_.v4_defaultroute_advmss != 0 ? c_.v4_defaultroute_advmss : c_.v4_defaultroute_mtu - 40;
  r.prefsrc = c_.clat_v4_addr;
  return r;
}

bool HostChanges::claim(const std::string& uplink, const xlat::Ipv6Addr& a, std::string& error) {
  release();
  claimed_uplink_ = uplink;
  claimed_ = a;
  Netlink::Route r;
  r.dst.v6 = true;
  r.dst.v6addr = {a, 128};
  r.ifname = c_.clat_dev;
  if (!nl_.set_route(true, r, error)) return false;
  claimed_route_ = true;
  if (c_.proxynd_enable) {
    if (!nl_.set_proxy_neighbour(true, uplink, a, error)) return false;
    claimed_proxy_ = true;
    save_journal();
  }
  info_("claimed " + xlat::to_string(a) + " on " + uplink + (c_.proxynd_enable ? " (proxy ND)" : ""));
  return true;
}

bool HostChanges::share(const std::string& uplink, const xlat::Ipv6Addr& a,
                        const xlat::Ipv6Prefix& plat_prefix, std::string& error) {
  release();
  claimed_uplink_ = uplink;
  claimed_ = a;
  shared_ = true;  // from here on release() undoes whatever part got done
  save_journal();
  Netlink::Route r;
  r.dst.v6 = true;
  r.dst.v6addr = {a, 128};
  r.ifname = c_.clat_dev;
  r.table = share_table();
  constexpr uint32_t kLocalTable = 255;  // RT_TABLE_LOCAL
  // The mark rule goes after the local rule (same preference 0); a second local rule
  // after it; then the first local rule goes: the local table is never unreachable.
  if (!nl_.set_route(true, r, error) || !nl_.set_rule6(true, 0, c_.ctmark, share_table(), error) ||
      !nl_.set_rule6(true, 0, 0, kLocalTable, error) || !nl_.set_rule6(false, 0, 0, kLocalTable, error) ||
      !set_conntrack_mark(true, c_.clat_dev, a, plat_prefix, c_.ctmark, error)) {
    return false;
  }
  info_("sharing " + xlat::to_string(a) + " on " + uplink + ": connections to " + xlat::to_string(plat_prefix) +
        " from " + c_.clat_dev + " marked " + std::to_string(c_.ctmark) + ", their replies routed into it");
  return true;
}

void HostChanges::release() {
  std::string e;
  if (shared_) {
    if (!set_conntrack_mark(false, c_.clat_dev, claimed_, {}, c_.ctmark, e)) error_(e);
    if (!nl_.set_rule6(false, 0, c_.ctmark, share_table(), e)) error_(e);
    Netlink::Route r;
    r.dst.v6 = true;
    r.dst.v6addr = {claimed_, 128};
    r.ifname = c_.clat_dev;
    r.table = share_table();
    if (!nl_.set_route(false, r, e)) error_(e);
    info_("stopped sharing " + xlat::to_string(claimed_) + " on " + claimed_uplink_);
    shared_ = false;
  }
  if (claimed_proxy_ && !nl_.set_proxy_neighbour(false, claimed_uplink_, claimed_, e)) error_(e);
  if (claimed_route_) {
    Netlink::Route r;
    r.dst.v6 = true;
    r.dst.v6addr = {claimed_, 128};
    r.ifname = c_.clat_dev;
    if (!nl_.set_route(false, r, e)) error_(e);
  }
  if (claimed_route_ || claimed_proxy_) info_("released " + xlat::to_string(claimed_) + " on " + claimed_uplink_);
  claimed_route_ = claimed_proxy_ = false;
  save_journal();
}

bool HostChanges::default_route(bool on, std::string& error) {
  if (on == default_route_) return true;
  if (on) {
    if (c_.v4_defaultroute_replace) {
      std::vector<Ipv4DefaultRoute> natives;
      if (!nl_.ipv4_default_routes(natives, error)) return false;
      for (const auto& n : natives) {
        if (n.dev == c_.clat_dev) continue;
        Netlink::Route r;
        r.dst.v4 = {0, 0};
        r.ifname = n.dev;
        r.metric = n.metric;
        r.gateway = n.gateway;
        if (!nl_.set_route(false, r, error)) return false;
        replaced_.push_back(n);
        save_journal();
        info_("removed the native IPv4 default route via " + n.dev + " (v4-defaultroute-replace)");
      }
    }
    if (!nl_.set_route(true, clat_route(), error)) return false;
    default_route_ = true;
    return true;
  }
  if (!nl_.set_route(false, clat_route(), error)) return false;
  default_route_ = false;
  for (const auto& n : replaced_) {
    Netlink::Route r;
    r.dst.v4 = {0, 0};
    r.ifname = n.dev;
    r.metric = n.metric;
    r.gateway = n.gateway;
    std::string e;
    if (nl_.set_route(true, r, e)) {
      info_("restored the native IPv4 default route via " + n.dev);
    } else {
      error_(e);
    }
  }
  replaced_.clear();
  save_journal();
  return true;
}

void HostChanges::undo_all() {
  std::string e;
  if (default_route_ && !default_route(false, e)) error_(e);
  release();
  for (auto it = sysctls_.rbegin(); it != sysctls_.rend(); ++it) {
    if (write_file("/proc/sys/" + it->first, it->second)) {
      info_("sysctl " + it->first + " restored to " + it->second);
    } else {
      error_("cannot restore sysctl " + it->first + " to " + it->second);
    }
  }
  sysctls_.clear();
  if (!journal_.empty()) ::unlink(journal_.c_str());
}

void HostChanges::save_journal() const {
  if (journal_.empty()) return;
  UndoJournal j;
  for (const auto& [key, value] : sysctls_) j.sysctls.push_back({key, value});
  if (claimed_proxy_) j.proxy = UndoJournal::Proxy{claimed_uplink_, claimed_};
  if (shared_) j.mark = UndoJournal::Mark{c_.clat_dev, c_.ctmark, share_table()};
  for (const auto& n : replaced_) j.routes4.push_back({n.dev, n.gateway, n.metric});
  // Written to a new file beside it (created exclusively, never through a link) and
  // renamed over: the journal is always whole.
  std::string e;
  if (!replace_file(journal_, render_undo_journal(j), 0600, e)) error_("undo journal: " + e);
}

unsigned HostChanges::recover(const std::string& path, const std::string& clat_dev, Netlink& nl, const Logger& info,
                              const Logger& error) {
  std::string text, e;
  const ReadResult r = read_private_file(path, kMaxJournalBytes, text, e);
  if (r == ReadResult::Missing) return 0;
  UndoJournal j;
  if (r == ReadResult::Refused || !parse_undo_journal(text, clat_dev, j, e)) {
    // Nothing of a journal that did not come from a CLAT is acted on; it is kept aside
    // for the operator to look at.
    const std::string aside = path + ".rejected";
    const bool kept = ::rename(path.c_str(), aside.c_str()) == 0;
    error("undo journal " + path + " refused, nothing undone: " + e + (kept ? " (moved to " + aside + ")" : ""));
    return 0;
  }
  info("found " + path + ": an earlier CLAT did not finish; undoing what it changed");
  unsigned n = 0;
  if (j.proxy) {
    const std::string a = xlat::to_string(j.proxy->addr);
    if (nl.set_proxy_neighbour(false, j.proxy->dev, j.proxy->addr, e)) {
      info("removed the proxy entry " + a + " on " + j.proxy->dev);
      ++n;
    } else if (!e.empty()) {
      error(e);
    }
  }
  if (j.mark) {
    // clat-v6-addr=shared: the mark table of this CLAT's device and the rule for its mark.
    if (set_conntrack_mark(false, j.mark->dev, {}, {}, j.mark->mark, e) &&
        nl.set_rule6(false, 0, j.mark->mark, j.mark->table, e)) {
      info("removed the connection marking of " + j.mark->dev + " and its rule (fwmark " +
           std::to_string(j.mark->mark) + ")");
      ++n;
    } else {
      error(e);
    }
  }
  for (const auto& route : j.routes4) {
    Netlink::Route rt;
    rt.dst.v4 = {0, 0};
    rt.ifname = route.dev;
    rt.gateway = route.gateway;
    rt.metric = route.metric;
    if (nl.set_route(true, rt, e)) {
      info("restored the IPv4 default route via " + route.dev);
      ++n;
    } else {
      error(e);
    }
  }
  // Sysctls last, in reverse, as undo_all() does.
  for (auto it = j.sysctls.rbegin(); it != j.sysctls.rend(); ++it) {
    if (write_file("/proc/sys/" + it->key, it->value)) {
      info("sysctl " + it->key + " restored to " + it->value);
      ++n;
    } else {
      error("cannot restore sysctl " + it->key + " to " + it->value);
    }
  }
  ::unlink(path.c_str());
  return n;
}

}  // namespace xlatd::clat
