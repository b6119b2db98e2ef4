#include "plat/map_file.hpp"

#include "config/lexers.hpp"
#include "config/values.hpp"
#include "plat/prefix_index.hpp"

#include <algorithm>
#include <cstdint>

namespace xlatd {

namespace {

bool same(const MapDirective& a, const MapDirective& b) { return a.v4 == b.v4 && a.v6 == b.v6; }

std::string name(const MapDirective& m) {
  return m.where + ": map " + xlat::to_string(m.v4) + " " + xlat::to_string(m.v6);
}

}  // namespace

std::vector<MapDirective> load_map_file(const std::string& path, std::vector<ConfigError>& errors) {
  std::string text;
  if (!read_text_file(path, text)) {
    errors.push_back({path + ": cannot read the map file"});
    return {};
  }
  std::vector<DirectiveLine> lines = lex_tayga_conf(text, path, errors);
  for (const auto& l : lines) {
    if (lower(l.name) != "map") errors.push_back({l.where + ": only map lines belong in a map-file, not '" + l.name + "'"});
  }
  if (!errors.empty()) return {};
  // The same directive table checks each line; overlaps are merge_map_file's business.
  PlatLoad r = apply_tayga_directives(lines, path, /*whole_file=*/false);
  if (!r.config) {
    errors.insert(errors.end(), r.errors.begin(), r.errors.end());
    return {};
  }
  return r.config->maps;
}

std::vector<MapDirective> merge_map_file(const PlatConfig& cfg, const std::vector<MapDirective>& file,
                                         std::vector<std::string>& notes) {
  // Indexes over both sides of the configuration's maps and of the entries kept so
  // far: each line costs O(log n), not a scan (prefix_index.hpp).
  PrefixIndex<xlat::Ipv4Prefix> conf4, kept4;
  PrefixIndex<xlat::Ipv6Prefix> conf6, kept6;
  for (size_t i = 0; i < cfg.maps.size(); ++i) {
    conf4.insert(cfg.maps[i].v4, i);
    conf6.insert(cfg.maps[i].v6, i);
  }
  std::vector<MapDirective> kept;
  std::vector<bool> alive;
  std::vector<size_t> hits;
  for (const auto& m : file) {
    // The first configuration map (in file order) it collides with decides: the same
    // map is quietly left out, another one keeps its place and this line is skipped.
    size_t first = SIZE_MAX;
    auto lowest = [&](size_t i) { first = std::min(first, i); };
    conf4.for_each_overlapping(m.v4, lowest);
    conf6.for_each_overlapping(m.v6, lowest);
    if (first != SIZE_MAX) {
      if (!same(m, cfg.maps[first])) {
        notes.push_back(name(m) + ": skipped, overlaps " + cfg.maps[first].where + " of the configuration file");
      }
      continue;
    }
    if (m.v4.contains(cfg.ipv4_addr) || m.v6.contains(cfg.ipv6_addr)) {
      notes.push_back(name(m) + ": skipped, it contains the translator's own address");
      continue;
    }
    if (cfg.prefix && m.v6.overlaps(*cfg.prefix)) {
      notes.push_back(name(m) + ": skipped, it overlaps prefix " + xlat::to_string(*cfg.prefix));
      continue;
    }
    // A later line wins: it replaces the earlier entries it collides with.
    hits.clear();
    kept4.for_each_overlapping(m.v4, [&](size_t k) { hits.push_back(k); });
    kept6.for_each_overlapping(m.v6, [&](size_t k) { hits.push_back(k); });
    std::sort(hits.begin(), hits.end());
    hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
    for (size_t k : hits) {
      notes.push_back(name(kept[k]) + ": replaced by " + m.where);
      alive[k] = false;
      kept4.erase(kept[k].v4, k);
      kept6.erase(kept[k].v6, k);
    }
    kept4.insert(m.v4, kept.size());
    kept6.insert(m.v6, kept.size());
    kept.push_back(m);
    alive.push_back(true);
  }
  std::vector<MapDirective> out;
  for (size_t k = 0; k < kept.size(); ++k) {
    if (alive[k]) out.push_back(std::move(kept[k]));
  }
  return out;
}

}  // namespace xlatd
