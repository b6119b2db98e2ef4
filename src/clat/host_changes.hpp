// Every change the CLAT makes to the host, made through one object that remembers how
// to undo it: sysctls (first value kept), the route and proxy-ND entry that claim the
// CLAT's IPv6 address, the IPv4 default route into the CLAT, and native default routes
// it replaced. undo_all() at exit leaves the host as it was found.
//
// The undo list is also kept in a journal file (undo_journal.hpp), rewritten atomically
// after each change:
// when a CLAT dies without undoing (kill -9, a crash, power loss of /run aside), the
// next start finds the journal and puts the host back first (recover()).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "clat/clat_config.hpp"
#include "clat/host_probe.hpp"
#include "io/netlink.hpp"

namespace xlatd::clat {

class HostChanges {
 public:
  using Logger = std::function<void(const std::string&)>;
  HostChanges(Netlink& nl, const ClatConfig& c, Logger info, Logger error)
      : nl_(nl), c_(c), info_(std::move(info)), error_(std::move(error)) {}

  // Writes /proc/sys/KEY (KEY like "net/ipv6/conf/all/forwarding"); the value found
  // the first time is restored by undo_all().
  bool sysctl(const std::string& key, const std::string& value, std::string& error);
  // Claims `a` on `uplink`: a /128 route into the CLAT device, and (proxynd-enable) a
  // proxy neighbour entry so the uplink answers Neighbor Solicitations for it.
  bool claim(const std::string& uplink, const xlat::Ipv6Addr& a, std::string& error);
  // clat-v6-addr=shared: `a` is the host's own address on `uplink`. Connections the CLAT
  // opens toward `plat_prefix` are marked (ctmark, conntrack_mark.hpp) and replies with
  // the mark are routed into the CLAT device: a /128 route in the CLAT's IPv6 table
  // (route-table, default 0xc1a7) and a rule `fwmark MARK lookup TABLE` placed before
  // the local table's (the local rule is re-added after it, never missing meanwhile).
  bool share(const std::string& uplink, const xlat::Ipv6Addr& a, const xlat::Ipv6Prefix& plat_prefix,
             std::string& error);
  void release();
  // The IPv4 default route through the CLAT device (metric, MTU, advmss, source).
  // With v4-defaultroute-replace, native default routes are removed first and put back
  // when the CLAT's route goes.
  bool default_route(bool on, std::string& error);
  void undo_all();

  // Keeps the undo list in `path` from now on ("" = no journal).
  void set_journal(const std::string& path) { journal_ = path; }
  // Undoes what a journal left by an earlier CLAT on `clat_dev` lists, then removes it.
  // A journal that fails the checks of undo_journal.hpp is not acted on at all (it is
  // moved aside). Returns the number of entries undone (0 when there was no journal).
  static unsigned recover(const std::string& path, const std::string& clat_dev, Netlink& nl, const Logger& info,
                          const Logger& error);

 private:
  void save_journal() const;
  Netlink::Route clat_route() const;
  Netlink& nl_;
  const ClatConfig& c_;
  Logger info_, error_;
  std::vector<std::pair<std::string, std::string>> sysctls_;  // key, original value
  std::string claimed_uplink_;
  xlat::Ipv6Addr claimed_;
  bool claimed_route_ = false, claimed_proxy_ = false;
  bool shared_ = false;  // the mark table, the rule and the table route are in place
  uint32_t share_table() const { return c_.route_table.value_or(0xc1a7); }
  bool default_route_ = false;
  std::vector<Ipv4DefaultRoute> replaced_;
  std::string journal_;
};

}  // namespace xlatd::clat
