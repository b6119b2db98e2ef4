#include "plat/dynamic_pool.hpp"

#include "runtime/safe_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <algorithm>
#include <new>

namespace xlatd {

namespace {

constexpr uint32_t kEmpty = 0;
constexpr uint32_t kTomb = 0xffffffffu;

void split(const xlat::Ipv6Addr& a, uint64_t& hi, uint64_t& lo) {
  std::memcpy(&hi, a.b.data(), 8);
  std::memcpy(&lo, a.b.data() + 8, 8);
}

xlat::Ipv6Addr join(uint64_t hi, uint64_t lo) {
  xlat::Ipv6Addr a;
  std::memcpy(a.b.data(), &hi, 8);
  std::memcpy(a.b.data() + 8, &lo, 8);
  return a;
}

uint64_t mix(uint64_t hi, uint64_t lo) {
  uint64_t h = hi * 0x9e3779b97f4a7c15ull ^ (lo + 0x632be59bd9b4e019ull);
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ull;
  return h ^ (h >> 32);
}

}  // namespace

// TAYGA's starting point: the address's four 32-bit words (read in the machine's byte
// order, as TAYGA reads s6_addr32) added up, each sum folded into the pool's host bits
// with an end-around carry. The same host lands on the same address under both daemons.
uint32_t DynamicPoolImpl::tayga_hash(const xlat::Ipv6Addr& a, unsigned host_bits) {
  const uint32_t max = (uint32_t{1} << host_bits) - 1;
  uint32_t base = 0;
  for (int w = 0; w < 4; ++w) {
    uint32_t word;
    std::memcpy(&word, a.b.data() + 4 * w, 4);
    base += word;
    while (base & ~max) base = (base & max) + (base >> host_bits);
  }
  return base;
}

// The IPv6 → slot index: cells hold index + 1 (0 empty, kTomb deleted).
struct DynamicPoolImpl::Table {
  explicit Table(size_t capacity) : mask(capacity - 1), cells(new std::atomic<uint32_t>[capacity]) {
    for (size_t i = 0; i < capacity; ++i) cells[i].store(kEmpty, std::memory_order_relaxed);
  }
  size_t mask;
  std::unique_ptr<std::atomic<uint32_t>[]> cells;
  size_t used = 0;        // live cells
  size_t tombstones = 0;
};

DynamicPoolImpl::DynamicPoolImpl(Options opts, int64_t now)
    : range_(opts.range),
      size_((uint32_t{1} << (32 - opts.range.len)) - 1),
      slots_(static_cast<Slot*>(std::calloc((uint32_t{1} << (32 - opts.range.len)) - 1, sizeof(Slot)))),
      now_(now),
      log_event_(std::move(opts.log_event)),
      on_change_(std::move(opts.on_change)) {
  if (!slots_) throw std::bad_alloc();
  // Each excluded prefix marks the slots it shares with the pool: the cost of the
  // exclusions, not pool size times their number (2^20 x 10^5 static maps never ended).
  const uint64_t first = uint64_t{range_.addr} + 1, last = uint64_t{range_.addr} + size_;
  for (const auto& ex : opts.excluded) {
    const uint64_t lo = ex.addr & xlat::ipv4_mask(ex.len);
    const uint64_t hi = lo + ((uint64_t{1} << (32 - ex.len)) - 1);
    for (uint64_t a = std::max(lo, first); a <= std::min(hi, last); ++a) {
      atom(slots_[a - first].state).store(kExcluded, std::memory_order_relaxed);
    }
  }
  size_t cap = 16;
  while (cap < size_ * 2u) cap <<= 1;
  table_.store(new Table(cap), std::memory_order_release);
}

DynamicPoolImpl::~DynamicPoolImpl() {
  delete table_.load();
  for (auto& r : retired_) delete r.first;
}

void DynamicPoolImpl::event(const std::string& msg) const {
  if (log_event_) log_event_(msg);
}

// Seqlock read: retry while a writer is (or was) in the middle of the entry.
DynamicPoolImpl::View DynamicPoolImpl::read(uint32_t i) const {
  const Slot& s = slots_[i];
  for (;;) {
    uint32_t s1 = atom(s.seq).load(std::memory_order_acquire);
    if (s1 & 1) continue;
    View v{atom(s.hi).load(std::memory_order_relaxed), atom(s.lo).load(std::memory_order_relaxed),
           atom(s.state).load(std::memory_order_relaxed)};
    std::atomic_thread_fence(std::memory_order_acquire);
    if (atom(s.seq).load(std::memory_order_relaxed) == s1) return v;
  }
}

void DynamicPoolImpl::write(uint32_t i, uint64_t hi, uint64_t lo, uint8_t state, int64_t last_use) {
  Slot& s = slots_[i];
  uint32_t seq = atom(s.seq).load(std::memory_order_relaxed);
  atom(s.seq).store(seq + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  atom(s.hi).store(hi, std::memory_order_relaxed);
  atom(s.lo).store(lo, std::memory_order_relaxed);
  atom(s.state).store(state, std::memory_order_relaxed);
  atom(s.last_use).store(last_use, std::memory_order_relaxed);
  atom(s.seq).store(seq + 2, std::memory_order_release);
}

int64_t DynamicPoolImpl::find(uint64_t hi, uint64_t lo) const {
  const Table* t = table_.load(std::memory_order_acquire);
  size_t h = mix(hi, lo);
  for (size_t probe = 0; probe <= t->mask; ++probe) {
    uint32_t c = t->cells[(h + probe) & t->mask].load(std::memory_order_acquire);
    if (c == kEmpty) return -1;
    if (c == kTomb) continue;
    View v = read(c - 1);
    if (v.hi == hi && v.lo == lo && (v.state == kActive || v.state == kDormant)) return c - 1;
  }
  return -1;
}

void DynamicPoolImpl::touch(uint32_t i) {
  int64_t now = now_.load(std::memory_order_relaxed);
  // One store per entry per second at most: no cache-line ping-pong per packet.
  if (atom(slots_[i].last_use).load(std::memory_order_relaxed) < now) {
    atom(slots_[i].last_use).store(now, std::memory_order_relaxed);
    if (!touched_.load(std::memory_order_relaxed)) touched_.store(true, std::memory_order_relaxed);
  }
}

bool DynamicPoolImpl::covers(xlat::Ipv4Addr a) const { return range_.contains(a); }

bool DynamicPoolImpl::lookup4(xlat::Ipv4Addr a, xlat::Ipv6Addr& out) {
  if (!covers(a) || a == range_.addr) return false;
  uint32_t i = a - range_.addr - 1;
  View v = read(i);
  if (v.state != kActive) return false;
  out = join(v.hi, v.lo);
  touch(i);
  return true;
}

xlat::DynamicPool::Result DynamicPoolImpl::lookup6(const xlat::Ipv6Addr& a, xlat::Ipv4Addr& out,
                                                   bool assign) {
  uint64_t hi, lo;
  split(a, hi, lo);
  int64_t i = find(hi, lo);
  if (i >= 0 && read(static_cast<uint32_t>(i)).state == kActive) {
    touch(static_cast<uint32_t>(i));
    out = address(static_cast<uint32_t>(i));
    return Result::Found;
  }
  if (!assign) return Result::NotFound;

  std::lock_guard<std::mutex> lock(mutex_);
  int64_t now = now_.load(std::memory_order_relaxed);
  i = find(hi, lo);
  if (i >= 0) {
    // Its dormant reservation wakes up (or another worker just assigned it).
    View v = read(static_cast<uint32_t>(i));
    if (v.state == kDormant) {
      write(static_cast<uint32_t>(i), hi, lo, kActive, now);
      if (watcher_) watcher_(address(static_cast<uint32_t>(i)), a, true);
      dirty_ = true;
      event("reactivated " + xlat::to_string(address(static_cast<uint32_t>(i))) + " for " + xlat::to_string(a));
      if (on_change_) on_change_();
    }
    out = address(static_cast<uint32_t>(i));
    return Result::Found;
  }
  // Probe host numbers base, base+1, ... (wrapping; 0 is the network address).
  const unsigned host_bits = 32u - range_.len;
  const uint32_t base = tayga_hash(a, host_bits);
  int64_t chosen = -1;
  for (uint32_t k = 0; k <= size_; ++k) {
    uint32_t host = (base + k) & size_;
    if (host == 0) continue;
    if (read(host - 1).state == kFree) {
      chosen = host - 1;
      break;
    }
  }
  if (chosen < 0) {
    // Exhausted: the least recently used dormant entry is taken over.
    int64_t oldest = INT64_MAX;
    for (uint32_t j = 0; j < size_; ++j) {
      View v = read(j);
      int64_t lu = atom(slots_[j].last_use).load(std::memory_order_relaxed);
      if (v.state == kDormant && lu < oldest) {
        oldest = lu;
        chosen = j;
      }
    }
    if (chosen < 0) {
      event("pool exhausted: no address for " + xlat::to_string(a));
      return Result::Exhausted;
    }
    View old = read(static_cast<uint32_t>(chosen));
    index_erase(old.hi, old.lo);
    event("took dormant " + xlat::to_string(address(static_cast<uint32_t>(chosen))) + " from " +
          xlat::to_string(join(old.hi, old.lo)));
  }
  uint32_t c = static_cast<uint32_t>(chosen);
  write(c, hi, lo, kActive, now);
  index_insert(c, hi, lo);
  if (watcher_) watcher_(address(c), a, true);
  dirty_ = true;
  event("assigned " + xlat::to_string(address(c)) + " to " + xlat::to_string(a));
  if (on_change_) on_change_();
  out = address(c);
  return Result::Found;
}

void DynamicPoolImpl::index_insert(uint32_t i, uint64_t hi, uint64_t lo) {
  Table* t = table_.load(std::memory_order_relaxed);
  if ((t->used + t->tombstones + 1) * 4 > (t->mask + 1) * 3) {
    rebuild_index(t->mask + 1);
    t = table_.load(std::memory_order_relaxed);
  }
  size_t h = mix(hi, lo);
  for (size_t probe = 0;; ++probe) {
    auto& cell = t->cells[(h + probe) & t->mask];
    uint32_t c = cell.load(std::memory_order_relaxed);
    if (c == kEmpty || c == kTomb) {
      if (c == kTomb) t->tombstones--;
      cell.store(i + 1, std::memory_order_release);
      t->used++;
      return;
    }
  }
}

void DynamicPoolImpl::index_erase(uint64_t hi, uint64_t lo) {
  Table* t = table_.load(std::memory_order_relaxed);
  size_t h = mix(hi, lo);
  for (size_t probe = 0; probe <= t->mask; ++probe) {
    auto& cell = t->cells[(h + probe) & t->mask];
    uint32_t c = cell.load(std::memory_order_relaxed);
    if (c == kEmpty) return;
    if (c == kTomb) continue;
    View v = read(c - 1);
    if (v.hi == hi && v.lo == lo) {
      cell.store(kTomb, std::memory_order_release);
      t->used--;
      t->tombstones++;
      return;
    }
  }
}

// A fresh table without tombstones; the old one stays readable until workers are
// surely done with it (maintain() frees it a cycle later).
void DynamicPoolImpl::rebuild_index(size_t capacity) {
  Table* old = table_.load(std::memory_order_relaxed);
  auto* t = new Table(capacity);
  for (size_t k = 0; k <= old->mask; ++k) {
    uint32_t c = old->cells[k].load(std::memory_order_relaxed);
    if (c == kEmpty || c == kTomb) continue;
    View v = read(c - 1);
    size_t h = mix(v.hi, v.lo);
    for (size_t probe = 0;; ++probe) {
      auto& cell = t->cells[(h + probe) & t->mask];
      if (cell.load(std::memory_order_relaxed) == kEmpty) {
        cell.store(c, std::memory_order_relaxed);
        t->used++;
        break;
      }
    }
  }
  table_.store(t, std::memory_order_release);
  retired_.emplace_back(old, now_.load(std::memory_order_relaxed));
}

void DynamicPoolImpl::maintain() {
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t now = now_.load(std::memory_order_relaxed);
  for (uint32_t i = 0; i < size_; ++i) {
    View v = read(i);
    int64_t lu = atom(slots_[i].last_use).load(std::memory_order_relaxed);
    if (v.state == kActive && now - lu > kActiveSeconds) {
      write(i, v.hi, v.lo, kDormant, lu);
      if (watcher_) watcher_(address(i), join(v.hi, v.lo), false);
      dirty_ = true;
      event("dormant " + xlat::to_string(address(i)) + " (" + xlat::to_string(join(v.hi, v.lo)) + ")");
    } else if (v.state == kDormant && now - lu > kDormantSeconds) {
      index_erase(v.hi, v.lo);
      write(i, 0, 0, kFree, 0);
      dirty_ = true;
      event("freed " + xlat::to_string(address(i)) + " (" + xlat::to_string(join(v.hi, v.lo)) + ")");
    }
  }
  // A lookup holds a table pointer for microseconds; a few seconds is plenty.
  std::erase_if(retired_, [&](const auto& r) {
    if (now - r.second < 5) return false;
    delete r.first;
    return true;
  });
  Table* t = table_.load(std::memory_order_relaxed);
  if (t->tombstones * 4 > t->mask + 1) rebuild_index(t->mask + 1);
}

void DynamicPoolImpl::watch(Watcher w) {
  std::lock_guard<std::mutex> lock(mutex_);
  watcher_ = std::move(w);
  if (!watcher_) return;
  for (uint32_t i = 0; i < size_; ++i) {
    const View v = read(i);
    if (v.state == kActive) watcher_(address(i), join(v.hi, v.lo), true);
  }
}

// Under the lock: maintain() (same thread) must not see half of it.
bool DynamicPoolImpl::note_use(const xlat::Ipv6Addr& v6, int64_t when) {
  uint64_t hi, lo;
  split(v6, hi, lo);
  std::lock_guard<std::mutex> lock(mutex_);
  const int64_t i = find(hi, lo);
  // A dormant entry is no longer in the fast path: a stamp for it is from before.
  if (i < 0 || read(static_cast<uint32_t>(i)).state != kActive) return false;
  auto last_use = atom(slots_[i].last_use);
  when = std::min(when, now_.load(std::memory_order_relaxed));
  if (when > last_use.load(std::memory_order_relaxed)) {
    last_use.store(when, std::memory_order_relaxed);
    touched_.store(true, std::memory_order_relaxed);
  }
  return true;
}

bool DynamicPoolImpl::dirty() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return dirty_ || touched_.load(std::memory_order_relaxed);
}

DynamicPoolImpl::Usage DynamicPoolImpl::usage() const {
  Usage u;
  for (uint32_t i = 0; i < size_; ++i) {
    switch (read(i).state) {
      case kActive: u.active++; break;
      case kDormant: u.dormant++; break;
      case kFree: u.free++; break;
      default: break;
    }
  }
  return u;
}

bool parse_dynamic_map_line(std::string_view line, xlat::Ipv4Addr& v4, xlat::Ipv6Addr& v6, int64_t& last_use) {
  std::string_view f[3];
  size_t count = 0, i = 0;
  auto space = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; };
  while (i < line.size()) {
    while (i < line.size() && space(line[i])) ++i;
    const size_t start = i;
    while (i < line.size() && !space(line[i])) ++i;
    if (i == start) break;
    if (count == 3) return false;  // a fourth field
    f[count++] = line.substr(start, i - start);
  }
  if (count != 3) return false;
  auto a4 = xlat::parse_ipv4(f[0]);
  auto a6 = xlat::parse_ipv6(f[1]);
  int64_t t = 0;
  auto [end, ec] = std::from_chars(f[2].data(), f[2].data() + f[2].size(), t);
  if (!a4 || !a6 || ec != std::errc() || end != f[2].data() + f[2].size() || t < 0) return false;
  v4 = *a4;
  v6 = *a6;
  last_use = t;
  return true;
}

void DynamicPoolImpl::load(const std::string& path, std::vector<std::string>& notes) {
  // Root reads it from data-dir, which belongs to the -u user: a symlink, FIFO or device
  // planted there is refused, not followed or waited on.
  std::string text, why;
  switch (read_regular_file(path, text, why)) {
    case ReadResult::Missing: return;  // no file yet: nothing to restore
    case ReadResult::Refused:
      notes.push_back(why + "; not loaded (it will be rewritten)");
      return;
    case ReadResult::Ok: break;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t now = now_.load(std::memory_order_relaxed);
  // One pass straight into the pool: each line is written to its slot and indexed, so
  // the index itself tells a host seen before (n lines: n inserts and n lookups, no
  // side tables; 2^20 lines load in well under a second, bench/load_bench.cpp). What
  // needs the whole file (a time in the future anywhere) is settled afterwards over the
  // slots loaded.
  std::vector<uint32_t> loaded;
  const size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  loaded.reserve(std::min<size_t>(lines, size_));
  bool future = false;
  // A damaged file of a million lines must not become a million log lines.
  constexpr size_t kMaxNotes = 100;
  size_t unreported = 0;
  auto note = [&](std::string n) {
    if (notes.size() < kMaxNotes) {
      notes.push_back(std::move(n));
    } else {
      ++unreported;
    }
  };
  std::string_view rest = text;
  int n = 0;
  while (!rest.empty()) {
    const size_t eol = rest.find('\n');
    const std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
    ++n;
    auto where = [&] { return path + ":" + std::to_string(n) + ": "; };
    if (line.empty() || line[0] == '#') continue;
    xlat::Ipv4Addr v4a;
    xlat::Ipv6Addr v6a;
    int64_t t;
    if (!parse_dynamic_map_line(line, v4a, v6a, t)) {
      note(where() + "malformed line skipped");
      continue;
    }
    if (!covers(v4a) || v4a == range_.addr || read(v4a - range_.addr - 1).state == kExcluded) {
      note(where() + xlat::to_string(v4a) + " is not a usable address of the pool; skipped");
      continue;
    }
    const uint32_t slot = v4a - range_.addr - 1;
    uint64_t hi, lo;
    split(v6a, hi, lo);
    // One entry per address and per host; the first line wins.
    if (read(slot).state != kFree || find(hi, lo) >= 0) {
      note(where() + "conflicting or duplicate entry for " + xlat::to_string(v4a) + " / " + xlat::to_string(v6a) +
           "; skipped");
      continue;
    }
    if (t > now) future = true;
    write(slot, hi, lo, now - t <= kActiveSeconds ? kActive : kDormant, t);
    index_insert(slot, hi, lo);
    loaded.push_back(slot);
  }

  if (unreported > 0) notes.push_back(path + ": " + std::to_string(unreported) + " more lines skipped");
  if (future) notes.push_back(path + ": last-use times in the future: every entry starts dormant");
  settle_loaded(loaded, future, now);
}

void DynamicPoolImpl::settle_loaded(const std::vector<uint32_t>& loaded, bool future, int64_t now) {
  for (const uint32_t slot : loaded) {
    const View v = read(slot);
    if (future) {
      // The clock went back or the file is not this host's: nothing can be trusted as
      // active, and nothing expires before its time.
      write(slot, v.hi, v.lo, kDormant, now);
    } else if (now - atom(slots_[slot].last_use).load(std::memory_order_relaxed) > kDormantSeconds) {
      index_erase(v.hi, v.lo);  // long expired: the address is free again
      write(slot, 0, 0, kFree, 0);
    }
  }
}

bool DynamicPoolImpl::save(const std::string& path, std::string& error) {
  std::ostringstream out;
  out << "# xlatd dynamic pool " << xlat::to_string(range_) << " (TAYGA dynamic.map format)\n"
      << "# IPv4\tIPv6\tlast use (Unix seconds)\n";
  {
    std::lock_guard<std::mutex> lock(mutex_);
    touched_.store(false, std::memory_order_relaxed);
    dirty_ = false;
    for (uint32_t i = 0; i < size_; ++i) {
      View v = read(i);
      if (v.state != kActive && v.state != kDormant) continue;
      out << xlat::to_string(address(i)) << '\t' << xlat::to_string(join(v.hi, v.lo)) << '\t'
          << atom(slots_[i].last_use).load(std::memory_order_relaxed) << '\n';
    }
  }
  std::string text = out.str();
  std::string tmp = path + ".tmp";
  // Created anew, never through something planted under its name.
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot write " + tmp + ": " + std::strerror(errno);
    return false;
  }
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot replace " + path + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    std::lock_guard<std::mutex> lock(mutex_);
    dirty_ = true;
    return false;
  }
  // Make the rename itself durable.
  std::string dir = path.substr(0, path.find_last_of('/') + 1);
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

}  // namespace xlatd
