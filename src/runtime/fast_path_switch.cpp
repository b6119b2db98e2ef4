#include "runtime/fast_path_switch.hpp"

#include <net/if.h>

#include "io/netlink.hpp"
#include "runtime/log.hpp"

namespace xlatd {

bool FastPathSwitch::open(uint32_t pool_entries) {
  std::string why;
  fast_path_ = FastPath::load(why, pool_entries);
  if (!fast_path_) log::warn("fast path off: " + why);
  return fast_path_ != nullptr;
}

void FastPathSwitch::apply(const xlat::TranslatorConfig& cfg, const std::string& dev,
                           std::optional<xlat::Ipv4Prefix> pool, const std::vector<std::string>& ingress,
                           bool forward) {
  if (!fast_path_) return;
  std::string why;
  const unsigned ifindex = if_nametoindex(dev.c_str());
  if (ifindex == 0) {
    why = "no device " + dev;
  } else if (fast_path_->configure(cfg, 0, ifindex, why, pool, forward && !ingress.empty()) &&
             (fast_path_->attached() || fast_path_->attach(static_cast<int>(ifindex), why))) {
    std::string on = dev;
    for (const std::string& up : ingress) {
      if (attach_ingress(up)) on += ", " + up + " (ingress)";
    }
    if (off_ || !announced_) {
      log::info("fast path on " + on + ": ordinary TCP, UDP and Echo translated in the kernel");
      off_ = false;
      announced_ = true;
    }
    return;
  }
  // One line when it goes off (or never came on), not one per reload.
  if (fast_path_->attached() || !off_) log::warn("fast path off: " + why);
  fast_path_->detach();
  off_ = true;
}

// An Ethernet device only: the program reads the IP header after 14 bytes.
bool FastPathSwitch::attach_ingress(const std::string& dev) {
  std::string why;
  Netlink nl;
  const int ifindex = nl.ok() ? nl.ethernet_ifindex(dev, why) : -1;
  if (!nl.ok()) why = "no netlink socket";
  if (ifindex > 0 && fast_path_->attach_ingress(ifindex, why)) return true;
  if (refused_ingress_.insert(dev).second) log::warn("fast path not on " + dev + " (ingress): " + why);
  return false;
}

void FastPathSwitch::detach() {
  if (fast_path_) fast_path_->detach();
}

}  // namespace xlatd
