// The PLAT's configuration: one immutable, validated struct, whichever file it came from
// (TAYGA's tayga.conf, or the same directives in TOML). The directives and their rules
// are one table (plat/tayga_directives.cpp) read by the shared engine
// (config/directive_table.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/directive_line.hpp"
#include "runtime/log_flags.hpp"
#include "xlat/addr.hpp"
#include "xlat/translator_config.hpp"

namespace xlatd {

struct MapDirective {
  xlat::Ipv4Prefix v4;
  xlat::Ipv6Prefix v6;
  std::string where;  // file:line, for messages
};

using TunAddress = xlat::IpPrefix;

struct PlatConfig {
  std::string source;  // the file it was read from
  std::string tun_device;
  xlat::Ipv4Addr ipv4_addr = 0;
  xlat::Ipv6Addr ipv6_addr;  // given, or prefix + ipv4-addr
  bool ipv6_addr_given = false;
  std::optional<xlat::Ipv6Prefix> prefix;
  std::vector<MapDirective> maps;
  std::optional<xlat::Ipv4Prefix> dynamic_pool;
  std::string data_dir;
  bool wkpf_strict = true;
  xlat::UdpZeroChecksum udp_cksum_mode = xlat::UdpZeroChecksum::Drop;
  LogFlags log;
  uint32_t offlink_mtu = 1280;
  std::string map_file;  // absolute once validated
  std::optional<unsigned> workers;
  std::optional<bool> tun_up;
  bool offload = true;  // xlatd: TUN checksum / TSO offloads (IFF_VNET_HDR)
  bool fast_path = true;  // xlatd: the kernel fast path (bpf/), on where it loads
  std::vector<std::string> fast_path_ingress;  // xlatd: uplinks it also runs on (ingress)
  bool fast_path_forward = false;  // xlatd: from those, out of an uplink directly
  bool hairpin = false;  // xlatd: RFC 7757 §4.2 hairpinning in the translator
  uint32_t icmp_rate = 1000;  // xlatd: generated ICMP errors per second per worker (0: no limit)
  uint32_t icmp_burst = 100;
  std::string metrics_listen;  // xlatd: "addr:port" for Prometheus; empty = off
  std::vector<TunAddress> tun_ip;
  std::vector<TunAddress> tun_route;
  std::vector<std::string> warnings;

  // The translator settings this configuration means, for a TUN of the given MTU.
  // extra_maps: entries from map-file.
  xlat::TranslatorConfig translator(uint32_t tun_mtu,
                                    const std::vector<MapDirective>& extra_maps = {}) const;
  // The effective configuration, as tayga.conf lines (for --check-config).
  std::string describe() const;
};

struct PlatLoad {
  std::optional<PlatConfig> config;
  std::vector<ConfigError> errors;  // every problem found, in file order
};

// Reads a tayga.conf or TOML file (by extension .toml, or by content) and validates it.
PlatLoad load_plat_config(const std::string& path);
// Same from text already read; `name` is used in messages; toml picks the syntax.
PlatLoad parse_plat_text(const std::string& text, const std::string& name, bool toml);

// The directive table over lines already lexed. `whole_file` false: the lines are a
// fragment (a map-file), so the rules that need a whole configuration (required
// directives, overlaps) are not applied.
PlatLoad apply_tayga_directives(const std::vector<DirectiveLine>& lines, const std::string& source,
                                bool whole_file = true);
// tayga.conf lines as `describe` prints them, from the same table.
std::string show_tayga_directives(const PlatConfig& cfg);

}  // namespace xlatd
