#include "clat/host_changes.hpp"

#include "clat/conntrack_mark.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

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
      for (const auto& n : parse_ipv4_default_routes(read_text_file("/proc/net/route"))) {
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
  if (!journal_.empty()) std::remove(journal_.c_str());
}

void HostChanges::save_journal() const {
  if (journal_.empty()) return;
  std::ostringstream j;
  j << "# xlatd CLAT: what to undo if this run ends without undoing it\n";
  for (const auto& [key, value] : sysctls_) j << "sysctl " << key << " " << value << "\n";
  if (claimed_proxy_) j << "proxy " << claimed_uplink_ << " " << xlat::to_string(claimed_) << "\n";
  if (shared_) j << "mark " << c_.clat_dev << " " << c_.ctmark << " " << share_table() << "\n";
  for (const auto& n : replaced_) {
    j << "route4 " << n.dev << " " << xlat::to_string(n.gateway) << " " << n.metric << "\n";
  }
  // Written beside and renamed over: the journal is always whole.
  const std::string tmp = journal_ + ".new";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.str();
    out.flush();
    if (!out) {
      error_("cannot write the undo journal " + tmp);
      return;
    }
  }
  if (std::rename(tmp.c_str(), journal_.c_str()) != 0) error_("cannot write the undo journal " + journal_);
}

unsigned HostChanges::recover(const std::string& path, Netlink& nl, const Logger& info, const Logger& error) {
  std::ifstream in(path);
  if (!in) return 0;
  info("found " + path + ": an earlier CLAT did not finish; undoing what it changed");
  unsigned n = 0;
  std::string line;
  std::vector<std::string> sysctl_lines;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string kind, a, b, c;
    if (!(f >> kind >> a >> b) || kind[0] == '#') continue;
    std::string e;
    if (kind == "sysctl") {
      sysctl_lines.push_back(line);  // restored last, in reverse, as undo_all() does
      continue;
    }
    if (kind == "proxy") {
      auto addr = xlat::parse_ipv6(b);
      if (addr && nl.set_proxy_neighbour(false, a, *addr, e)) {
        info("removed the proxy entry " + b + " on " + a);
        ++n;
      } else if (!e.empty()) {
        error(e);
      }
    } else if (kind == "mark" && (f >> c)) {
      // clat-v6-addr=shared: the mark table of device `a` and the rule for mark `b`.
      const uint32_t mark = static_cast<uint32_t>(std::strtoul(b.c_str(), nullptr, 10));
      const uint32_t table = static_cast<uint32_t>(std::strtoul(c.c_str(), nullptr, 10));
      if (set_conntrack_mark(false, a, {}, {}, mark, e) && nl.set_rule6(false, 0, mark, table, e)) {
        info("removed the connection marking of " + a + " and its rule (fwmark " + b + ")");
        ++n;
      } else {
        error(e);
      }
    } else if (kind == "route4" && (f >> c)) {
      Netlink::Route r;
      r.dst.v4 = {0, 0};
      r.ifname = a;
      r.gateway = xlat::parse_ipv4(b).value_or(0);
      r.metric = static_cast<uint32_t>(std::strtoul(c.c_str(), nullptr, 10));
      if (nl.set_route(true, r, e)) {
        info("restored the IPv4 default route via " + a);
        ++n;
      } else {
        error(e);
      }
    }
  }
  for (auto it = sysctl_lines.rbegin(); it != sysctl_lines.rend(); ++it) {
    std::istringstream f(*it);
    std::string kind, key, value;
    f >> kind >> key >> value;
    if (write_file("/proc/sys/" + key, value)) {
      info("sysctl " + key + " restored to " + value);
      ++n;
    } else {
      error("cannot restore sysctl " + key + " to " + value);
    }
  }
  std::remove(path.c_str());
  return n;
}

}  // namespace xlatd::clat
