#include "config/map_file.hpp"

#include "config/directives.hpp"

namespace xlatd {

namespace {

bool overlaps(const MapDirective& a, const MapDirective& b) {
  return a.v4.overlaps(b.v4) || a.v6.overlaps(b.v6);
}

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
    std::string n = l.name;
    for (auto& ch : n) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (n != "map") errors.push_back({l.where + ": only map lines belong in a map-file, not '" + l.name + "'"});
  }
  if (!errors.empty()) return {};
  // The same directive table checks each line; overlaps are merge_map_file's business.
  LoadResult r = apply_directives(lines, path, /*whole_file=*/false);
  if (!r.config) {
    errors.insert(errors.end(), r.errors.begin(), r.errors.end());
    return {};
  }
  return r.config->maps;
}

std::vector<MapDirective> merge_map_file(const Config& cfg, const std::vector<MapDirective>& file,
                                         std::vector<std::string>& notes) {
  std::vector<MapDirective> kept;
  for (const auto& m : file) {
    bool skip = false;
    for (const auto& c : cfg.maps) {
      if (same(m, c)) {
        skip = true;
        break;
      }
      if (overlaps(m, c)) {
        notes.push_back(name(m) + ": skipped, overlaps " + c.where + " of the configuration file");
        skip = true;
        break;
      }
    }
    if (skip) continue;
    if (m.v4.contains(cfg.ipv4_addr) || m.v6.contains(cfg.ipv6_addr)) {
      notes.push_back(name(m) + ": skipped, it contains the translator's own address");
      continue;
    }
    if (cfg.prefix && m.v6.overlaps(*cfg.prefix)) {
      notes.push_back(name(m) + ": skipped, it overlaps prefix " + xlat::to_string(*cfg.prefix));
      continue;
    }
    // A later line wins: it replaces the earlier entries it collides with.
    std::erase_if(kept, [&](const MapDirective& k) {
      if (!overlaps(m, k)) return false;
      notes.push_back(name(k) + ": replaced by " + m.where);
      return true;
    });
    kept.push_back(m);
  }
  return kept;
}

}  // namespace xlatd
