// The CLAT's undo journal: what a run changed on the host, so that the next start can
// put it back when a run ended without undoing (kill -9, a crash).
//
// The journal is an instruction list that root executes, so it is trusted only as far
// as it provably comes from a CLAT:
// - it lives in one fixed root-only place (/run/xlatd, never beside a socket or a data
//   directory someone else may own), one file per network namespace and device;
// - it is read without following a symlink, only when it is a regular file owned by
//   this user and writable by nobody else, and only up to kMaxJournalBytes;
// - every line must be one of the exact forms render_undo_journal() writes, naming only
//   the sysctls the CLAT sets, values they can have had, this CLAT's own device for the
//   mark and interface names without '/': one line of anything else refuses the whole
//   journal (nothing of it is undone).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xlat/addr.hpp"

namespace xlatd::clat {

struct UndoJournal {
  struct Sysctl {
    std::string key;    // "net/ipv6/conf/all/forwarding", "net/ipv6/conf/DEV/accept_ra" or ".../proxy_ndp"
    std::string value;  // the value found before the CLAT changed it
  };
  struct Proxy {        // a proxy neighbour entry for the CLAT's address on the uplink
    std::string dev;
    xlat::Ipv6Addr addr;
  };
  struct Mark {         // clat-v6-addr=shared: the nftables marking and its fwmark rule
    std::string dev;    // always the CLAT's own device
    uint32_t mark = 0, table = 0;
  };
  struct Route4 {       // a native IPv4 default route removed by v4-defaultroute-replace
    std::string dev;
    xlat::Ipv4Addr gateway = 0;
    uint32_t metric = 0;
  };
  std::vector<Sysctl> sysctls;
  std::optional<Proxy> proxy;
  std::optional<Mark> mark;
  std::vector<Route4> routes4;

  bool empty() const { return sysctls.empty() && !proxy && !mark && routes4.empty(); }
};

constexpr size_t kMaxJournalBytes = 16384;

// True for the sysctls a CLAT sets (the only ones a journal may restore).
bool clat_sysctl_key(std::string_view key);
std::string render_undo_journal(const UndoJournal& j);
// Parses a journal for the CLAT on `clat_dev`. On any line that is not one the CLAT
// writes, returns false with "line N: why" in `error` and leaves `out` empty.
bool parse_undo_journal(std::string_view text, const std::string& clat_dev, UndoJournal& out, std::string& error);

// /run/xlatd/clat-<network namespace inode>-<dev><ext> (ext ".undo" for the journal,
// ".lock" for the one-CLAT-per-device lock); the directory is made and checked
// (owned by this user, not writable by others) first.
bool clat_run_path(const std::string& clat_dev, const std::string& ext, std::string& path, std::string& error);

}  // namespace xlatd::clat
