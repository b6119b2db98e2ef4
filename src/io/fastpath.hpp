// The kernel fast path (bpf/xlat_fastpath.bpf.c): loading the TC program and filling its
// settings and address maps from a TranslatorConfig.
//
// The program translates the ordinary packet in the kernel and passes every other one up
// to the TUN readers; a configuration it cannot mirror exactly is refused with the
// reason, and the TUN path alone carries the traffic.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fastpath_abi.h"
#include "xlat/translator_config.hpp"

struct xlat_fastpath;  // the bpftool skeleton

namespace xlatd {

// The fast path's counters (fp_counter slots), named for every view of `xlatd stats`.
struct FastPathCounterInfo {
  const char* name;
  const char* help;
};
const FastPathCounterInfo& fast_path_counter_info(unsigned slot);
using FastPathCounters = std::array<uint64_t, FP_COUNTERS>;

class FastPath {
 public:
  // Opens and loads the program (verifier included); nullptr with `why` when the kernel
  // or the privileges do not allow it. `pool_entries`: room for that many dynamic-pool
  // entries each way (the pool's size; the maps cannot grow once loaded).
  static std::unique_ptr<FastPath> load(std::string& why, uint32_t pool_entries = 1);
  ~FastPath();
  FastPath(const FastPath&) = delete;
  FastPath& operator=(const FastPath&) = delete;

  // Writes the settings and the maps for `cfg`. False, with `why`, for a configuration
  // the program does not mirror (the fast path then stays off). l3_offset is 0 on a
  // TUN, 14 for test runs; ifindex is the TUN the translated packets re-enter.
  // `pool`: the dynamic pool's range, whose addresses always go up (the daemon's pool
  // decides). A new call replaces every map entry.
  // `forward`: packets translated on an ingress leave by an uplink directly where they
  // can (fast-path-forward).
  bool configure(const xlat::TranslatorConfig& cfg, uint32_t l3_offset, uint32_t ifindex,
                 std::string& why, std::optional<xlat::Ipv4Prefix> pool = std::nullopt, bool forward = false);
  // Why the program cannot mirror `cfg` (configure would refuse it), or nothing: needs
  // no kernel, for --check-config.
  static std::optional<std::string> unsupported(const xlat::TranslatorConfig& cfg);

  // Attaches the program to the egress of the device `ifindex` (a clsact qdisc made for
  // it; the filter goes with the device). False with `why` when the kernel refuses.
  bool attach(int ifindex, std::string& why);
  // `fast-path-ingress`: also on the ingress of the (Ethernet) device `ifindex`, where it
  // translates the packets the kernel would route into the TUN before that routing pass.
  bool attach_ingress(int ifindex, std::string& why);
  // Takes the program off the device again (also done on destruction): a persistent TUN
  // must not keep translating with maps nobody updates.
  void detach();
  bool attached() const { return egress_.has_value(); }

  // The dynamic pool's active entries, kept equal to the pool's by its watcher: the
  // program translates for a host only while its entry is here. Thread-safe (map
  // writes); false when the kernel refuses (the host's packets then keep going up).
  bool add_pool_entry(xlat::Ipv4Addr v4, const xlat::Ipv6Addr& v6);
  void remove_pool_entry(xlat::Ipv4Addr v4, const xlat::Ipv6Addr& v6);
  // When the program last translated for each pool entry, as CLOCK_MONOTONIC
  // nanoseconds (entries it never used are left out).
  struct PoolUse {
    xlat::Ipv6Addr v6;
    uint64_t monotonic_ns;
  };
  std::vector<PoolUse> pool_uses() const;

  int program_fd() const;
  int ingress_program_fd() const;  // fast-path-ingress's entry point
  // Whether TCP super-packets are translated in the kernel (probed at load).
  bool gso_in_kernel() const { return gso_in_kernel_; }
  // The per-CPU counters, summed (fp_counter slots).
  FastPathCounters counters() const;

 private:
  explicit FastPath(xlat_fastpath* skel) : skel_(skel) {}
  bool probe_gso_size() const;
  bool fill_eam(const xlat::EamTable& eam, std::string& why);
  void seed_ipv4_ids();
  xlat_fastpath* skel_;
  bool gso_in_kernel_ = false;
  // Where the program is attached: a device's egress or ingress hook (clsact) and the
  // filter's handle there.
  struct Hook {
    int ifindex;
    bool ingress;
    uint32_t handle, priority;
  };
  std::optional<Hook> attach_hook(int ifindex, bool ingress, int prog_fd, std::string& why);
  static void detach_hook(const Hook& h);
  std::optional<Hook> egress_;    // the TUN's
  std::vector<Hook> ingress_;     // fast-path-ingress's uplinks
};

}  // namespace xlatd
