// libFuzzer target for what xlatd reads from files and its command line: the CLAT's
// undo journal, dynamic.map lines, tayga.conf / TOML / clatd.conf text. The first byte
// picks the parser. Every outcome must be a value or an error message, never a crash,
// and what the journal parser accepts must survive a round trip.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <string>
#include <string_view>

#include "clat/clat_config.hpp"
#include "clat/undo_journal.hpp"
#include "plat/plat_config.hpp"
#include "plat/dynamic_pool.hpp"

namespace {

bool climbs(const std::string& path) {
  size_t i = 0;
  while (i <= path.size()) {
    const size_t j = std::min(path.find('/', i), path.size());
    const std::string_view part(path.data() + i, j - i);
    if (part == "." || part == "..") return true;
    i = j + 1;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0: {
      xlatd::clat::UndoJournal j;
      std::string why;
      if (xlatd::clat::parse_undo_journal(text, "clat", j, why)) {
        // What was accepted renders to a journal that parses to the same thing.
        const std::string again = xlatd::clat::render_undo_journal(j);
        xlatd::clat::UndoJournal k;
        if (!xlatd::clat::parse_undo_journal(again, "clat", k, why)) __builtin_trap();
        if (xlatd::clat::render_undo_journal(k) != again) __builtin_trap();
        // An accepted key is one the CLAT sets and names no "." or ".." component (a
        // path that would climb out of /proc/sys); dots inside a device name are a name.
        for (const auto& s : j.sysctls) {
          if (!xlatd::clat::clat_sysctl_key(s.key) || climbs(s.key)) __builtin_trap();
        }
      } else if (why.empty() || !j.empty()) {
        __builtin_trap();  // a refusal says why and keeps nothing
      }
      break;
    }
    case 1: {
      xlat::Ipv4Addr v4;
      xlat::Ipv6Addr v6;
      int64_t t;
      if (xlatd::parse_dynamic_map_line(text, v4, v6, t) && t < 0) __builtin_trap();
      break;
    }
    case 2:
      (void)xlatd::parse_plat_text(text, "fuzz.conf", false);
      break;
    case 3:
      (void)xlatd::parse_plat_text(text, "fuzz.toml", true);
      break;
    default:
      (void)xlatd::clat::parse_clat_text(text, "clatd.conf", false, {});
  }
  return 0;
}
