#include "io/fastpath.hpp"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "xlat/address_map.hpp"
#include "xlat/rfc6052.hpp"
#include "xlat_fastpath.skel.h"

namespace xlatd {

namespace {

fp_v6 to_fp(const xlat::Ipv6Addr& a) {
  fp_v6 v;
  std::memcpy(v.w, a.b.data(), 16);
  return v;
}

uint32_t to_net(xlat::Ipv4Addr a) { return htonl(a); }

}  // namespace

std::unique_ptr<FastPath> FastPath::load(std::string& why) {
  libbpf_set_print(nullptr);  // the reason is returned, not printed
  xlat_fastpath* skel = xlat_fastpath__open_and_load();
  if (skel == nullptr) {
    why = std::string("the kernel did not load the fast path: ") + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<FastPath>(new FastPath(skel));
}

FastPath::~FastPath() { xlat_fastpath__destroy(skel_); }

int FastPath::program_fd() const { return bpf_program__fd(skel_->progs.xlat_fastpath); }

bool FastPath::configure(const xlat::TranslatorConfig& cfg, uint32_t l3_offset, uint32_t ifindex,
                         std::string& why) {
  // What this version of the program mirrors: a /96 prefix (RFC 6052 §2.2, the address
  // in the last four bytes), single-address static maps, no port-aware mapping.
  if (!cfg.prefix || cfg.prefix->len != 96) {
    why = "the fast path needs a /96 prefix";
    return false;
  }
  if (cfg.wkpf_strict && *cfg.prefix == xlat::well_known_prefix()) {
    why = "the fast path does not apply the well-known prefix's global-address rule";
    return false;
  }
  if (cfg.port_mapping) {
    why = "the fast path has no port-aware mapping";
    return false;
  }
  for (const xlat::EamEntry& e : cfg.eam.entries()) {
    if (e.v4.len != 32 || e.v6.len != 128) {
      why = "the fast path holds single-address maps only (" + xlat::to_string(e.v4) + " is a range)";
      return false;
    }
  }
  fp_settings s{};
  s.l3_offset = l3_offset;
  s.ifindex = ifindex;
  s.own_v4 = to_net(cfg.own_v4);
  std::memcpy(s.prefix, cfg.prefix->addr.b.data(), 12);
  s.pool_first = 1;  // none; set by the daemon that owns a pool
  s.pool_last = 0;
  s.mtu4 = cfg.mtu4;
  s.mtu6 = cfg.mtu6;
  s.lowest_ipv6_mtu = cfg.lowest_ipv6_mtu;
  for (const xlat::EamEntry& e : cfg.eam.entries()) {
    const uint32_t v4 = to_net(e.v4.addr);
    const fp_v6 v6 = to_fp(e.v6.addr);
    if (bpf_map__update_elem(skel_->maps.fp_v4_to_v6, &v4, sizeof v4, &v6, sizeof v6, BPF_ANY) != 0 ||
        bpf_map__update_elem(skel_->maps.fp_v6_to_v4, &v6, sizeof v6, &v4, sizeof v4, BPF_ANY) != 0) {
      why = std::string("cannot fill the fast path's maps: ") + std::strerror(errno);
      return false;
    }
  }
  const uint32_t zero = 0;
  if (bpf_map__update_elem(skel_->maps.fp_settings_map, &zero, sizeof zero, &s, sizeof s, BPF_ANY) != 0) {
    why = std::string("cannot write the fast path's settings: ") + std::strerror(errno);
    return false;
  }
  return true;
}

std::array<uint64_t, FP_COUNTERS> FastPath::counters() const {
  std::array<uint64_t, FP_COUNTERS> sum{};
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return sum;
  std::vector<uint64_t> per_cpu(static_cast<size_t>(cpus));
  for (uint32_t slot = 0; slot < FP_COUNTERS; ++slot) {
    if (bpf_map__lookup_elem(skel_->maps.fp_counters, &slot, sizeof slot, per_cpu.data(),
                             per_cpu.size() * sizeof(uint64_t), 0) != 0) {
      continue;
    }
    for (uint64_t v : per_cpu) sum[slot] += v;
  }
  return sum;
}

}  // namespace xlatd
