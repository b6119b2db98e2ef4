// Runs every row of the Jool SIIT graybox fixture (../shared/conformance/jool-siit)
// through the translator with the configuration that row assumes, and compares bytes.
//
// A row the project deliberately differs on is listed, with its reason, in
// expected_differences.tsv; it must still differ (so the list cannot go stale). Any
// other mismatch fails the test. Prints "N of M rows pass".
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "xlat/translator.hpp"

namespace {

using Bytes = std::vector<uint8_t>;

struct Row {
  int line = 0;
  std::string group, dir, input;
  std::vector<std::string> expected;
  std::vector<size_t> ignored;
  std::map<std::string, std::string> env;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

bool read_file(const std::string& path, Bytes& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  out.assign(std::istreambuf_iterator<char>(f), {});
  return true;
}

// A line that is not a whole row is reported and counted in `malformed`, never skipped
// silently (issue 15: a cut row used to vanish from the count).
std::vector<Row> read_pairs(const std::string& dir, int& malformed) {
  std::vector<Row> rows;
  std::ifstream f(dir + "/pairs.tsv");
  std::string line;
  int n = 0;
  while (std::getline(f, line)) {
    ++n;
    if (n == 1 || line.empty()) continue;
    auto cols = split(line, '\t');
    if (cols.size() < 7) {
      std::cout << "FAIL line " << n << ": " << cols.size() << " columns, a row has 7\n";
      ++malformed;
      continue;
    }
    Row r;
    r.line = n;
    r.group = cols[0];
    r.dir = cols[1];
    r.input = cols[3];
    r.expected = split(cols[4], ' ');
    for (auto& o : split(cols[5], ',')) {
      if (!o.empty()) r.ignored.push_back(std::stoul(o));
    }
    for (auto& kv : split(cols[6], ' ')) {
      auto eq = kv.find('=');
      if (eq != std::string::npos) r.env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

// The fixture README's configuration, adjusted by the row's env_at_time.
xlat::TranslatorConfig config_for(const Row& r) {
  using namespace xlat;
  TranslatorConfig c;
  auto get = [&](const std::string& k) {
    auto it = r.env.find(k);
    return it == r.env.end() ? std::string("null") : it->second;
  };
  if (get("pool6") != "null") c.prefix = parse_ipv6_prefix(get("pool6"));
  std::vector<EamEntry> eam = {
      {*parse_ipv4_prefix("1.0.0.0/24"), *parse_ipv6_prefix("2001:db8:3::/120")},
      {*parse_ipv4_prefix("10.0.0.0/24"), *parse_ipv6_prefix("2001:db8:2::/120")},
  };
  std::string extra = get("extra_eamt");
  if (extra != "null") {
    for (auto& e : split(extra, ';')) {
      auto eq = e.find('=');
      if (eq == std::string::npos) continue;
      eam.push_back({*parse_ipv4_prefix(e.substr(0, eq)), *parse_ipv6_prefix(e.substr(eq + 1))});
    }
  }
  c.eam = EamTable(eam);
  // Jool translates hairpins itself (RFC 7757 §4.2): its rows expect it.
  c.hairpinning = true;
  c.own_v4 = *parse_ipv4("198.51.100.1");
  c.own_v6 = *parse_ipv6("2001:db8:1c0:2:1::");
  if (get("rfc6791v4-prefix") != "null") c.rfc6791_v4 = parse_ipv4(get("rfc6791v4-prefix"));
  if (get("rfc6791v6-prefix") != "null") c.rfc6791_v6 = parse_ipv6(get("rfc6791v6-prefix"));
  // Jool answers a zero UDP checksum it will not amend with an ICMP error: `reject`.
  c.udp_zero_checksum = get("amend-udp-checksum-zero") == "1" ? UdpZeroChecksum::Calculate
                                                               : UdpZeroChecksum::Reject;
  c.lowest_ipv6_mtu = std::stoul(get("lowest-ipv6-mtu"));
  c.mtu6 = std::stoul(get("j.v6if(to_client_v6).mtu"));
  c.mtu4 = std::stoul(get("j.v4if(to_client_v4).mtu"));
  return c;
}

// One packet through the translator, as the daemon does it (hairpinning included).
std::vector<Bytes> run_translator(const xlat::TranslatorConfig& cfg, const Bytes& input) {
  static std::vector<uint8_t> scratch(xlat::kScratchSize);
  Bytes buf(64 + input.size());
  std::memcpy(buf.data() + 64, input.data(), input.size());
  xlat::Translator t(cfg);
  xlat::Output out(scratch);
  t.translate({buf.data() + 64, static_cast<uint32_t>(input.size()), 64}, out);
  std::vector<Bytes> result;
  for (uint32_t i = 0; i < out.count; ++i) {
    result.emplace_back(out.pkts[i].data, out.pkts[i].data + out.pkts[i].len);
  }
  return result;
}

std::string describe_diff(const Bytes& got, const Bytes& want, const std::vector<size_t>& ignored) {
  std::ostringstream s;
  if (got.size() != want.size()) s << "length " << got.size() << " != " << want.size() << "; ";
  int shown = 0;
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    if (got[i] == want[i]) continue;
    bool skip = false;
    for (size_t o : ignored) skip |= o == i;
    if (skip) continue;
    if (shown++ < 8) {
      char b[48];
      std::snprintf(b, sizeof b, "@%zu got %02x want %02x; ", i, got[i], want[i]);
      s << b;
    }
  }
  if (shown > 8) s << "(" << shown << " bytes differ)";
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::string fixture, differences;
  long expect_rows = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--fixture") fixture = argv[i + 1];
    if (a == "--expected-differences") differences = argv[i + 1];
    if (a == "--rows") expect_rows = std::stol(argv[i + 1]);
  }
  if (fixture.empty()) {
    std::cerr << "usage: jool_conformance --fixture DIR [--expected-differences FILE] [--rows N]\n";
    return 2;
  }
  int malformed = 0;
  auto rows = read_pairs(fixture, malformed);
  if (rows.empty()) {
    std::cerr << "no rows read from " << fixture << "/pairs.tsv\n";
    return 2;
  }

  // line number → reason
  std::map<int, std::string> allowed;
  if (!differences.empty()) {
    std::ifstream f(differences);
    std::string line;
    while (std::getline(f, line)) {
      if (line.empty() || line[0] == '#') continue;
      auto cols = split(line, '\t');
      if (cols.size() >= 3) allowed[std::stoi(cols[0])] = cols[2];
    }
  }

  int pass = 0, explained = 0, failures = malformed;
  if (expect_rows >= 0 && static_cast<long>(rows.size()) != expect_rows) {
    std::cout << "FAIL: " << rows.size() << " rows read, the fixture has " << expect_rows << "\n";
    ++failures;
  }
  for (const auto& r : rows) {
    Bytes input;
    if (!read_file(fixture + "/" + r.input, input)) {
      std::cout << "FAIL line " << r.line << ": cannot read " << r.input << "\n";
      ++failures;
      continue;
    }
    std::vector<Bytes> want;
    for (auto& e : r.expected) {
      Bytes b;
      if (!read_file(fixture + "/" + e, b)) {
        std::cout << "FAIL line " << r.line << ": cannot read " << e << "\n";
        ++failures;
      }
      want.push_back(std::move(b));
    }
    auto got = run_translator(config_for(r), input);
    std::string diff;
    if (got.size() != want.size()) {
      diff = "produced " + std::to_string(got.size()) + " packets, expected " +
             std::to_string(want.size());
    } else {
      for (size_t i = 0; i < got.size(); ++i) {
        std::string d = describe_diff(got[i], want[i], r.ignored);
        if (!d.empty()) diff += "packet " + std::to_string(i) + ": " + d;
      }
    }
    std::string label = "line " + std::to_string(r.line) + " [" + r.group + " " + r.dir + "] " +
                        r.input + " -> " + r.expected[0];
    auto it = allowed.find(r.line);
    if (diff.empty()) {
      ++pass;
      if (it != allowed.end()) {
        std::cout << "STALE " << label << ": listed as a deliberate difference but passes\n";
        ++failures;
      }
    } else if (it != allowed.end()) {
      ++explained;
      std::cout << "DIFFERS (deliberate) " << label << ": " << it->second << "\n";
    } else {
      ++failures;
      std::cout << "FAIL " << label << ": " << diff << "\n";
    }
  }
  std::cout << pass << " of " << rows.size() << " rows pass; " << explained
            << " deliberate differences; " << failures << " failures\n";
  return failures == 0 ? 0 : 1;
}
