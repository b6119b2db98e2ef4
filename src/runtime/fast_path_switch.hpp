// The kernel fast path as a mode runs it (PLAT and CLAT alike): loaded once at start
// while still root, then made to mirror each configuration the workers translate with,
// attached to the TUN the first time that works. Whatever stops it (a kernel or a
// privilege that will not load it, a configuration it cannot mirror, a refused attach)
// leaves the TUN path alone carrying the traffic, said once in the log.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "io/fastpath.hpp"
#include "xlat/translator_config.hpp"

namespace xlatd {

class FastPathSwitch {
 public:
  // `fast-path yes`: loads the program (room for `pool_entries` dynamic-pool entries);
  // false, logged, when the kernel will not.
  bool open(uint32_t pool_entries = 1);
  // Mirrors `cfg` on the device `dev` (its counterpart in every view), attaching the
  // program the first time; `pool`, the dynamic pool's range. Nothing without open().
  // `ingress`: the uplinks it also runs on (`fast-path-ingress`), attached likewise; one
  // that is missing or refused is said once and left out.
  void apply(const xlat::TranslatorConfig& cfg, const std::string& dev,
             std::optional<xlat::Ipv4Prefix> pool = std::nullopt, const std::vector<std::string>& ingress = {},
             bool forward = false);
  // Everything up again (before the workers stop: no packet meets stale maps).
  void detach();
  FastPath* get() const { return fast_path_.get(); }

 private:
  bool attach_ingress(const std::string& dev);
  std::unique_ptr<FastPath> fast_path_;
  std::set<std::string> refused_ingress_;
  bool off_ = false, announced_ = false;
};

}  // namespace xlatd
