#include "clat/undo_journal.hpp"

#include <sys/stat.h>

#include <charconv>
#include <sstream>

#include "config/values.hpp"
#include "runtime/safe_files.hpp"
#include "xlat/address_map.hpp"

namespace xlatd::clat {

namespace {

constexpr std::string_view kConf = "net/ipv6/conf/";

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::optional<uint32_t> number(std::string_view s) {
  uint32_t v = 0;
  if (s.empty() || s.size() > 10) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool interface_name(std::string_view s) { return interface_name_problem(std::string(s)).empty(); }

// The values the three sysctls can have had: forwarding and proxy_ndp are 0 or 1,
// accept_ra 0, 1 or 2 (the CLAT records what it found, nothing else).
bool sysctl_value(std::string_view key, std::string_view v) {
  if (v.size() != 1) return false;
  return v[0] == '0' || v[0] == '1' || (v[0] == '2' && key.ends_with("/accept_ra"));
}

std::string line_problem(const std::vector<std::string_view>& f, const std::string& clat_dev, UndoJournal& j) {
  const std::string_view kind = f[0];
  if (kind == "sysctl") {
    if (f.size() != 3) return "a sysctl line is 'sysctl KEY VALUE'";
    if (!clat_sysctl_key(f[1])) return "'" + std::string(f[1]) + "' is not a sysctl the CLAT sets";
    if (!sysctl_value(f[1], f[2])) return "'" + std::string(f[2]) + "' is not a value " + std::string(f[1]) + " can have";
    for (const auto& s : j.sysctls) {
      if (s.key == f[1]) return "sysctl " + s.key + " is listed twice";
    }
    j.sysctls.push_back({std::string(f[1]), std::string(f[2])});
    return "";
  }
  if (kind == "proxy") {
    if (f.size() != 3) return "a proxy line is 'proxy DEVICE ADDRESS'";
    if (!interface_name(f[1])) return "'" + std::string(f[1]) + "' is not an interface name";
    auto a = xlat::parse_ipv6(f[2]);
    if (!a || xlat::ipv6_reserved(*a)) return "'" + std::string(f[2]) + "' is not a unicast IPv6 address";
    if (j.proxy) return "more than one proxy line";
    j.proxy = UndoJournal::Proxy{std::string(f[1]), *a};
    return "";
  }
  if (kind == "mark") {
    if (f.size() != 4) return "a mark line is 'mark DEVICE MARK TABLE'";
    if (f[1] != clat_dev) return "the mark line names '" + std::string(f[1]) + "', not this CLAT's " + clat_dev;
    auto mark = number(f[2]), table = number(f[3]);
    if (!mark || *mark == 0 || !table || *table == 0) return "mark and table are nonzero 32-bit numbers";
    if (j.mark) return "more than one mark line";
    j.mark = UndoJournal::Mark{clat_dev, *mark, *table};
    return "";
  }
  if (kind == "route4") {
    if (f.size() != 4) return "a route4 line is 'route4 DEVICE GATEWAY METRIC'";
    if (!interface_name(f[1]) || f[1] == clat_dev) return "'" + std::string(f[1]) + "' is not a native uplink";
    auto gw = xlat::parse_ipv4(f[2]);
    auto metric = number(f[3]);
    if (!gw || !metric) return "'" + std::string(f[2]) + " " + std::string(f[3]) + "' is not a gateway and a metric";
    j.routes4.push_back({std::string(f[1]), *gw, *metric});
    return "";
  }
  return "'" + std::string(kind) + "' is not a journal entry";
}

}  // namespace

bool clat_sysctl_key(std::string_view key) {
  if (key == "net/ipv6/conf/all/forwarding") return true;
  if (!key.starts_with(kConf)) return false;
  key.remove_prefix(kConf.size());
  for (std::string_view leaf : {"/accept_ra", "/proxy_ndp"}) {
    if (key.size() > leaf.size() && key.ends_with(leaf)) {
      std::string_view dev = key.substr(0, key.size() - leaf.size());
      return interface_name(dev) && dev != "all" && dev != "default";
    }
  }
  return false;
}

std::string render_undo_journal(const UndoJournal& j) {
  std::ostringstream o;
  o << "# xlatd CLAT: what to undo if this run ends without undoing it\n";
  for (const auto& s : j.sysctls) o << "sysctl " << s.key << " " << s.value << "\n";
  if (j.proxy) o << "proxy " << j.proxy->dev << " " << xlat::to_string(j.proxy->addr) << "\n";
  if (j.mark) o << "mark " << j.mark->dev << " " << j.mark->mark << " " << j.mark->table << "\n";
  for (const auto& r : j.routes4) o << "route4 " << r.dev << " " << xlat::to_string(r.gateway) << " " << r.metric << "\n";
  return o.str();
}

bool parse_undo_journal(std::string_view text, const std::string& clat_dev, UndoJournal& out, std::string& error) {
  UndoJournal j;
  unsigned lineno = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      error = "line " + std::to_string(lineno + 1) + ": not ended by a newline (a journal is written whole)";
      out = {};
      return false;
    }
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    ++lineno;
    if (line.starts_with("#")) continue;
    std::string why;
    for (unsigned char ch : line) {
      if (ch < ' ' || ch >= 0x7f) why = "a control or non-ASCII byte";
    }
    const auto f = fields(line);
    if (why.empty()) why = f.empty() ? "an empty line" : line_problem(f, clat_dev, j);
    if (!why.empty()) {
      error = "line " + std::to_string(lineno) + ": " + why;
      out = {};
      return false;
    }
  }
  out = std::move(j);
  return true;
}

bool clat_run_path(const std::string& clat_dev, const std::string& ext, std::string& path, std::string& error) {
  static const std::string kDir = "/run/xlatd";
  if (std::string why = interface_name_problem(clat_dev); !why.empty()) {
    error = why;
    return false;
  }
  if (!ensure_private_directory(kDir, error)) return false;
  struct stat ns {};
  const std::string netns = ::stat("/proc/self/ns/net", &ns) == 0 ? std::to_string(ns.st_ino) : "0";
  path = kDir + "/clat-" + netns + "-" + clat_dev + ext;
  return true;
}

}  // namespace xlatd::clat
