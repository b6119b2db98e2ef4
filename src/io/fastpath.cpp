#include "io/fastpath.hpp"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_set>
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

fp_u128 to_u128(const xlat::Ipv6Addr& a) {
  fp_u128 v{};
  for (int i = 0; i < 8; ++i) {
    v.hi = v.hi << 8 | a.b[static_cast<size_t>(i)];
    v.lo = v.lo << 8 | a.b[static_cast<size_t>(8 + i)];
  }
  return v;
}

xlat::Ipv6Addr all_ones() {
  xlat::Ipv6Addr a;
  a.b.fill(0xff);
  return a;
}

// The core's RFC 6052 byte positions as the program's shifts and masks: the IPv4 bytes
// in the first half, then those in the second (each run contiguous, figure 1).
fp_v4_layout layout_of(const xlat::Rfc6052Layout& l) {
  unsigned in_hi = 0;
  while (in_hi < 4 && l.pos[in_hi] < 8) ++in_hi;
  fp_v4_layout out{};
  if (in_hi > 0) {
    out.hi_shift = (7u - l.pos[in_hi - 1]) * 8u;
    out.hi_mask = in_hi == 4 ? ~uint32_t{0} : (uint32_t{1} << (8 * in_hi)) - 1;
  }
  out.lo_bits = 8u * (4u - in_hi);
  if (in_hi < 4) {
    out.lo_shift = (15u - l.pos[3]) * 8u;
    out.lo_mask = (uint64_t{1} << out.lo_bits) - 1;
  }
  return out;
}


// Deletes every entry of `map` (keys of `key_size` bytes).
bool clear_map(bpf_map* map, size_t key_size) {
  std::vector<uint8_t> first(key_size);
  while (bpf_map__get_next_key(map, nullptr, first.data(), key_size) == 0) {
    if (bpf_map__delete_elem(map, first.data(), key_size, 0) != 0) return false;
  }
  return true;
}

constexpr FastPathCounterInfo kCounterInfo[FP_COUNTERS] = {
    {"translated_6to4", "IPv6 packets translated to IPv4 in the kernel"},
    {"translated_4to6", "IPv4 packets translated to IPv6 in the kernel"},
    {"up_not_ordinary", "passed up: a protocol, header or option the fast path leaves to the daemon"},
    {"up_fragment", "passed up: a fragment"},
    {"up_hop_limit", "passed up: TTL or Hop Limit would expire"},
    {"up_too_big", "passed up: over an MTU, or to be fragmented"},
    {"up_unmapped", "passed up: an address the fast path's maps do not hold"},
    {"up_checksum", "passed up: a zero UDP checksum or a bad IPv4 header checksum"},
    {"up_super_packet", "passed up: a GSO super-packet"},
    {"up_helper_failed", "passed up: the kernel refused to change the protocol"},
    {"dropped_broken", "dropped: a rewrite failed half-way"},
    {"ingress_6to4", "of the IPv6 packets translated, those taken on an uplink's ingress"},
    {"ingress_4to6", "of the IPv4 packets translated, those taken on an uplink's ingress"},
    {"forwarded", "of those, sent out of an uplink directly (fast-path-forward)"},
};

}  // namespace

const FastPathCounterInfo& fast_path_counter_info(unsigned slot) { return kCounterInfo[slot]; }

std::unique_ptr<FastPath> FastPath::load(std::string& why, uint32_t pool_entries) {
  libbpf_set_print(nullptr);  // the reason is returned, not printed
  xlat_fastpath* skel = xlat_fastpath__open();
  if (skel == nullptr) {
    why = std::string("cannot open the fast path: ") + std::strerror(errno);
    return nullptr;
  }
  // Entries are allocated as they are added (BPF_F_NO_PREALLOC): the size is a bound.
  const uint32_t room = std::max<uint32_t>(pool_entries, 1);
  if (bpf_map__set_max_entries(skel->maps.fp_pool4, room) != 0 ||
      bpf_map__set_max_entries(skel->maps.fp_pool6, room) != 0 || xlat_fastpath__load(skel) != 0) {
    why = std::string("the kernel did not load the fast path: ") + std::strerror(errno);
    xlat_fastpath__destroy(skel);
    return nullptr;
  }
  auto fp = std::unique_ptr<FastPath>(new FastPath(skel));
  fp->gso_in_kernel_ = fp->probe_gso_size();
  fp->seed_ipv4_ids();
  return fp;
}

// Whether bpf_skb_change_proto keeps a super-packet's gso_size (Linux 5.13 on; before,
// it changed it by 20 bytes, which would change how TCP is cut into segments): run on a
// test packet with gso_size 1000. A kernel that will not say keeps super-packets on the
// TUN path.
bool FastPath::probe_gso_size() const {
  uint8_t pkt[14 + 20 + 20 + 100] = {};
  pkt[12] = 0x08;  // IPv4, after an Ethernet header
  pkt[14] = 0x45;
  pkt[14 + 3] = sizeof pkt - 14;
  pkt[14 + 8] = 64;
  pkt[14 + 9] = 6;
  __sk_buff ctx{};
  ctx.gso_size = 1000;
  ctx.gso_segs = 1;
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof pkt, .ctx_in = &ctx,
              .ctx_size_in = sizeof ctx, .repeat = 1);
  return bpf_prog_test_run_opts(bpf_program__fd(skel_->progs.probe_gso_size), &opts) == 0 && opts.retval == 1;
}

// Distinct Identification sequences per CPU (as per worker in the daemon), none at 0.
void FastPath::seed_ipv4_ids() {
  const int cpus = libbpf_num_possible_cpus();
  if (cpus <= 0) return;
  std::vector<uint32_t> seeds(static_cast<size_t>(cpus));
  for (size_t c = 0; c < seeds.size(); ++c) seeds[c] = static_cast<uint32_t>(0x8001 + c * 0x3d1b);
  const uint32_t zero = 0;
  (void)bpf_map__update_elem(skel_->maps.fp_ipv4_id, &zero, sizeof zero, seeds.data(),
                             seeds.size() * sizeof(uint32_t), BPF_ANY);
}

bool FastPath::add_pool_entry(xlat::Ipv4Addr v4, const xlat::Ipv6Addr& v6) {
  const uint32_t key4 = to_net(v4);
  const fp_v6 key6 = to_fp(v6);
  const fp_pool4_value to6{key6, 0};
  const fp_pool6_value to4{key4, 0, 0};
  return bpf_map__update_elem(skel_->maps.fp_pool6, &key6, sizeof key6, &to4, sizeof to4, BPF_ANY) == 0 &&
         bpf_map__update_elem(skel_->maps.fp_pool4, &key4, sizeof key4, &to6, sizeof to6, BPF_ANY) == 0;
}

void FastPath::remove_pool_entry(xlat::Ipv4Addr v4, const xlat::Ipv6Addr& v6) {
  const uint32_t key4 = to_net(v4);
  const fp_v6 key6 = to_fp(v6);
  (void)bpf_map__delete_elem(skel_->maps.fp_pool6, &key6, sizeof key6, 0);
  (void)bpf_map__delete_elem(skel_->maps.fp_pool4, &key4, sizeof key4, 0);
}

// The later of the two stamps: a host's use either way is its use.
std::vector<FastPath::PoolUse> FastPath::pool_uses() const {
  std::vector<PoolUse> uses;
  fp_v6 key{}, next{};
  const void* prev = nullptr;
  // An entry removed meanwhile restarts the walk from the first key: bounded.
  const size_t bound = 2 * size_t{bpf_map__max_entries(skel_->maps.fp_pool6)};
  for (size_t n = 0; n < bound && bpf_map__get_next_key(skel_->maps.fp_pool6, prev, &next, sizeof next) == 0; ++n) {
    key = next;
    prev = &key;
    fp_pool6_value to4{};
    if (bpf_map__lookup_elem(skel_->maps.fp_pool6, &key, sizeof key, &to4, sizeof to4, 0) != 0) continue;
    uint64_t last = to4.last_used;
    fp_pool4_value to6{};
    if (bpf_map__lookup_elem(skel_->maps.fp_pool4, &to4.v4, sizeof to4.v4, &to6, sizeof to6, 0) == 0 &&
        std::memcmp(&to6.v6, &key, sizeof key) == 0) {
      last = std::max<uint64_t>(last, to6.last_used);
    }
    if (last == 0) continue;
    PoolUse u;
    std::memcpy(u.v6.b.data(), key.w, 16);
    u.monotonic_ns = last;
    uses.push_back(u);
  }
  return uses;
}

FastPath::~FastPath() {
  detach();
  xlat_fastpath__destroy(skel_);
}

void FastPath::detach() {
  // First everything up: a map write needs no privilege, so even a daemon that has left
  // root (or a filter the kernel will not let go) translates nothing with stale maps.
  const uint32_t zero = 0;
  fp_settings off{};
  (void)bpf_map__update_elem(skel_->maps.fp_settings_map, &zero, sizeof zero, &off, sizeof off, BPF_ANY);
  for (const Hook& h : ingress_) detach_hook(h);
  ingress_.clear();
  (void)clear_map(skel_->maps.fp_forward_devs, sizeof(uint32_t));
  if (egress_) detach_hook(*egress_);
  egress_.reset();
}

// A clsact qdisc on the device (made unless it has one) and the program on one of its
// hooks.
std::optional<FastPath::Hook> FastPath::attach_hook(int ifindex, bool ingress, int prog_fd, std::string& why) {
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
  const int made = bpf_tc_hook_create(&hook);
  if (made != 0 && made != -EEXIST) {
    why = std::string("cannot add a clsact qdisc: ") + std::strerror(-made);
    return std::nullopt;
  }
  LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd);
  const int attached = bpf_tc_attach(&hook, &opts);
  if (attached != 0) {
    why = std::string("cannot attach the fast path: ") + std::strerror(-attached);
    return std::nullopt;
  }
  return Hook{ifindex, ingress, opts.handle, opts.priority};
}

void FastPath::detach_hook(const Hook& h) {
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = h.ifindex, .attach_point = h.ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
  LIBBPF_OPTS(bpf_tc_opts, opts, .handle = h.handle, .priority = h.priority);
  (void)bpf_tc_detach(&hook, &opts);  // gone already when the device went
}

bool FastPath::attach_ingress(int ifindex, std::string& why) {
  for (const Hook& h : ingress_) {
    if (h.ifindex == ifindex) return true;
  }
  auto h = attach_hook(ifindex, true, ingress_program_fd(), why);
  if (!h) return false;
  ingress_.push_back(*h);
  const uint32_t key = static_cast<uint32_t>(ifindex), yes = 1;
  (void)bpf_map__update_elem(skel_->maps.fp_forward_devs, &key, sizeof key, &yes, sizeof yes, BPF_ANY);
  return true;
}

bool FastPath::attach(int ifindex, std::string& why) {
  egress_ = attach_hook(ifindex, false, program_fd(), why);
  return egress_.has_value();
}

int FastPath::program_fd() const { return bpf_program__fd(skel_->progs.xlat_fastpath); }

int FastPath::ingress_program_fd() const { return bpf_program__fd(skel_->progs.xlat_fastpath_ingress); }

// What this version of the program mirrors: any RFC 6052 prefix (or none), EAM single
// addresses and ranges, the well-known prefix's rule; no port-aware mapping.
std::optional<std::string> FastPath::unsupported(const xlat::TranslatorConfig& cfg) {
  if (cfg.port_mapping) return "the fast path has no port-aware mapping";
  if (cfg.prefix && !xlat::rfc6052_valid_length(cfg.prefix->len)) return "the fast path needs an RFC 6052 prefix length";
  if (xlat::ipv4_non_global_ranges().size() > FP_NON_GLOBAL_MAX) {
    return "the fast path holds " + std::to_string(FP_NON_GLOBAL_MAX) + " non-global ranges";
  }
  size_t ranges4 = 0, ranges6 = 0;
  for (const xlat::EamEntry& e : cfg.eam.entries()) {
    ranges4 += e.v4.len != 32;
    ranges6 += e.v6.len != 128;
  }
  if (std::max(ranges4, ranges6) > size_t{FP_EAM_RANGES_MAX}) return "the fast path holds " + std::to_string(size_t{FP_EAM_RANGES_MAX}) + " EAM ranges";
  if (cfg.eam.entries().size() > size_t{FP_EAM_SINGLES_MAX}) return "the fast path holds " + std::to_string(size_t{FP_EAM_SINGLES_MAX}) + " static maps";
  return std::nullopt;
}

bool FastPath::configure(const xlat::TranslatorConfig& cfg, uint32_t l3_offset, uint32_t ifindex,
                         std::string& why, std::optional<xlat::Ipv4Prefix> pool, bool forward) {
  if (auto refused = unsupported(cfg)) {
    why = *refused;
    return false;
  }
  fp_settings s{};
  s.enabled = 1;
  s.l3_offset = l3_offset;
  s.ifindex = ifindex;
  s.own_v4 = to_net(cfg.own_v4);
  std::memcpy(s.own_v6, cfg.own_v6.b.data(), 16);
  if (cfg.prefix) {
    s.has_prefix = 1;
    s.prefix = to_u128(xlat::ipv6_masked(cfg.prefix->addr, cfg.prefix->len));
    s.prefix_mask = to_u128(xlat::ipv6_masked(all_ones(), cfg.prefix->len));
    s.layout = layout_of(xlat::Rfc6052Layout::for_length(cfg.prefix->len));
    if (cfg.wkpf_strict && *cfg.prefix == xlat::well_known_prefix()) {
      for (const xlat::Ipv4Prefix& r : xlat::ipv4_non_global_ranges()) {
        const uint32_t first = r.addr & xlat::ipv4_mask(r.len);
        s.non_global[s.non_global_count++] = {first, first | ~xlat::ipv4_mask(r.len)};
      }
    }
  }
  s.pool_first = 1;  // first > last: no pool
  s.pool_last = 0;
  if (pool) {
    const uint32_t size = pool->len == 0 ? 0xffffffffu : (uint32_t{1} << (32 - pool->len)) - 1;
    s.pool_first = pool->addr & ~size;
    s.pool_last = s.pool_first | size;
  }
  s.mtu4 = cfg.mtu4;
  s.mtu6 = cfg.mtu6;
  s.lowest_ipv6_mtu = cfg.lowest_ipv6_mtu;
  s.gso_in_kernel = gso_in_kernel_ ? 1 : 0;
  s.forward = forward ? 1 : 0;
  // Off while the maps change: a packet meanwhile goes up rather than meet half of the
  // old configuration and half of the new.
  const uint32_t zero = 0;
  const fp_settings off{};
  if (bpf_map__update_elem(skel_->maps.fp_settings_map, &zero, sizeof zero, &off, sizeof off, BPF_ANY) != 0 ||
      !clear_map(skel_->maps.fp_v4_to_v6, sizeof(uint32_t)) || !clear_map(skel_->maps.fp_v6_to_v4, sizeof(fp_v6)) ||
      !clear_map(skel_->maps.fp_eam4, sizeof(fp_eam4_key)) || !clear_map(skel_->maps.fp_eam6, sizeof(fp_eam6_key))) {
    why = std::string("cannot clear the fast path's maps: ") + std::strerror(errno);
    return false;
  }
  if (!fill_eam(cfg.eam, why)) return false;
  if (bpf_map__update_elem(skel_->maps.fp_settings_map, &zero, sizeof zero, &s, sizeof s, BPF_ANY) != 0) {
    why = std::string("cannot write the fast path's settings: ") + std::strerror(errno);
    return false;
  }
  return true;
}

// RFC 7757: single addresses into the hashes, ranges into the tries. Where the core's
// table holds two entries for one key, the first is the one it uses: so here too
// (BPF_NOEXIST, the later one skipped).
bool FastPath::fill_eam(const xlat::EamTable& eam, std::string& why) {
  auto added = [](int rc) { return rc == 0 || rc == -EEXIST; };
  std::unordered_set<uint32_t> single4;
  for (const xlat::EamEntry& e : eam.entries()) {
    const uint32_t v4 = to_net(e.v4.addr & xlat::ipv4_mask(e.v4.len));
    const xlat::Ipv6Addr v6 = xlat::ipv6_masked(e.v6.addr, e.v6.len);
    const unsigned suffix4 = 32u - e.v4.len;
    const uint32_t suffix_mask = suffix4 == 32 ? ~uint32_t{0} : (uint32_t{1} << suffix4) - 1;
    const uint32_t shift = 128u - e.v6.len - suffix4;
    bool ok = true;
    if (e.v4.len == 32 && single4.insert(v4).second) {
      const fp_v6 to6 = to_fp(v6);
      ok = added(bpf_map__update_elem(skel_->maps.fp_v4_to_v6, &v4, sizeof v4, &to6, sizeof to6, BPF_NOEXIST));
    } else if (e.v4.len != 32) {
      const fp_eam4_key k{e.v4.len, v4};
      const fp_eam4_value r{to_u128(v6), shift, suffix_mask};
      ok = added(bpf_map__update_elem(skel_->maps.fp_eam4, &k, sizeof k, &r, sizeof r, BPF_NOEXIST));
    }
    if (ok && e.v6.len == 128) {
      const fp_v6 k = to_fp(v6);
      ok = added(bpf_map__update_elem(skel_->maps.fp_v6_to_v4, &k, sizeof k, &v4, sizeof v4, BPF_NOEXIST));
    } else if (ok) {
      fp_eam6_key k{e.v6.len, {}};
      std::memcpy(k.v6, v6.b.data(), 16);
      const fp_eam6_value r{ntohl(v4), shift, suffix_mask, 0};
      ok = added(bpf_map__update_elem(skel_->maps.fp_eam6, &k, sizeof k, &r, sizeof r, BPF_NOEXIST));
    }
    if (!ok) {
      why = std::string("cannot fill the fast path's maps: ") + std::strerror(errno);
      return false;
    }
  }
  return true;
}

FastPathCounters FastPath::counters() const {
  FastPathCounters sum{};
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
