// TAYGA's dynamic pool: IPv6 hosts with no static mapping borrow an IPv4 address.
//
// - Choice: a dormant entry already held by that host; else the hash of the IPv6
//   address (its 32-bit words summed and folded into the pool's host bits) and linear
//   probing
//   for a free address; when none is free, the least recently used dormant entry.
//   Active entries are never taken; with none to take, the host gets ICMPv6 1/5.
// - Lifetime: active until 7440 s (2 h 4 min) without traffic, then dormant (out of
//   the 4→6 lookup but still reserved for its host), freed after 14 days.
// - dynamic.map (TAYGA's format: `IPv4<TAB>IPv6<TAB>last-use`) is loaded at start and
//   written through a temporary file and rename.
//
// Workers look up without locks: each entry is guarded by a sequence counter, and the
// IPv6 → entry index is an open-addressed table of atomics. Only assignment, expiry and
// persistence take the mutex (rare, never per packet).
#pragma once

#include <atomic>
#include <cstdlib>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/pool_usage.hpp"
#include "xlat/translator_config.hpp"

namespace xlatd {

// One dynamic.map line, `IPv4 IPv6 last-use` separated by tabs or spaces (TAYGA writes
// tabs); false for anything else.
bool parse_dynamic_map_line(std::string_view line, xlat::Ipv4Addr& v4, xlat::Ipv6Addr& v6, int64_t& last_use);

class DynamicPoolImpl final : public xlat::DynamicPool, public PoolUsageSource {
 public:
  static constexpr int64_t kActiveSeconds = 7440;          // 2 h 4 min
  static constexpr int64_t kDormantSeconds = 14 * 86400;   // then the address is freed

  struct Options {
    xlat::Ipv4Prefix range;
    std::vector<xlat::Ipv4Prefix> excluded;  // ipv4-addr and static map IPv4 sides
    std::function<void(const std::string&)> log_event;  // `log dyn`, may be empty
    // Called (from a worker, rarely) when an assignment must reach dynamic.map soon.
    std::function<void()> on_change;
  };

  explicit DynamicPoolImpl(Options opts, int64_t now);
  ~DynamicPoolImpl() override;

  bool covers(xlat::Ipv4Addr a) const override;
  bool lookup4(xlat::Ipv4Addr a, xlat::Ipv6Addr& out) override;
  Result lookup6(const xlat::Ipv6Addr& a, xlat::Ipv4Addr& out, bool assign) override;

  // Main thread: the clock workers stamp entries with (Unix seconds).
  void set_now(int64_t now) { now_.store(now, std::memory_order_relaxed); }
  // Main thread, about every 45 s: active → dormant → free; retires old index tables.
  void maintain();
  // Before the workers start. Bad lines are skipped with a note each.
  void load(const std::string& path, std::vector<std::string>& notes);
  // Atomic replace (temporary file, fsync, rename). Clears the dirty mark.
  bool save(const std::string& path, std::string& error);
  // Something a restart would lose: an assignment, an expiry, or newer last-use times.
  bool dirty() const;

  // Something outside that holds the active entries too (the kernel fast path): called
  // under the pool's lock with every entry active now, then at each change (assigned or
  // woken: active; gone dormant: not). One watcher; a new call replaces it.
  using Watcher = std::function<void(xlat::Ipv4Addr, const xlat::Ipv6Addr&, bool active)>;
  void watch(Watcher w);
  // A use of `v6`'s entry seen elsewhere (the fast path's stamps): its last use becomes
  // `when` (Unix seconds) if that is later and not in the future. False when the host
  // holds no active entry.
  bool note_use(const xlat::Ipv6Addr& v6, int64_t when);

  // Where the search for a free address starts (TAYGA's hash).
  static uint32_t tayga_hash(const xlat::Ipv6Addr& a, unsigned host_bits);

  using Usage = PoolUsage;
  Usage usage() const override;

 private:
  enum State : uint8_t { kFree = 0, kActive = 1, kDormant = 2, kExcluded = 3 };
  // Plain fields, read and written through std::atomic_ref. All zero is a free slot, so
  // the array comes zeroed from calloc: a /11 pool's 2^21 slots cost no page until used
  // (constructing them touched 64 MiB, a third of a second, at every start).
  struct Slot {
    uint64_t hi, lo;
    int64_t last_use;
    uint32_t seq;
    uint8_t state;
  };
  struct FreeSlots {
    void operator()(Slot* p) const { std::free(p); }
  };
  template <class T>
  static std::atomic_ref<T> atom(const T& field) {
    return std::atomic_ref<T>(const_cast<T&>(field));
  }
  struct Table;
  struct View {
    uint64_t hi, lo;
    uint8_t state;
  };

  View read(uint32_t i) const;
  void write(uint32_t i, uint64_t hi, uint64_t lo, uint8_t state, int64_t last_use);
  int64_t find(uint64_t hi, uint64_t lo) const;  // slot index or -1
  void touch(uint32_t i);
  void index_insert(uint32_t i, uint64_t hi, uint64_t lo);
  void index_erase(uint64_t hi, uint64_t lo);
  void rebuild_index(size_t capacity);
  // After load(): what needs the whole file, over the slots it filled (caller holds the
  // lock).
  void settle_loaded(const std::vector<uint32_t>& loaded, bool future, int64_t now);
  xlat::Ipv4Addr address(uint32_t i) const { return range_.addr + 1 + i; }
  void event(const std::string& msg) const;

  xlat::Ipv4Prefix range_;
  uint32_t size_;  // usable addresses: network + 1 ... last
  std::unique_ptr<Slot[], FreeSlots> slots_;
  std::atomic<Table*> table_{nullptr};
  std::vector<std::pair<Table*, int64_t>> retired_;  // freed a while after replacement
  std::atomic<int64_t> now_;
  std::atomic<bool> touched_{false};
  bool dirty_ = false;
  std::function<void(const std::string&)> log_event_;
  std::function<void()> on_change_;
  Watcher watcher_;  // under mutex_
  mutable std::mutex mutex_;  // assignment, expiry, persistence
};

}  // namespace xlatd
