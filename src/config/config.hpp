// The daemon's configuration: one immutable, validated struct, whichever file it came
// from (TAYGA's tayga.conf or the same settings in TOML).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "xlat/addr.hpp"
#include "xlat/translator_config.hpp"

namespace xlatd {

// TAYGA's `log` directive: which events are logged.
struct LogFlags {
  bool drop = false;    // packets dropped
  bool reject = false;  // packets answered with an ICMP error
  bool icmp = false;    // ICMP handling
  bool self = false;    // packets to the translator itself
  bool dyn = false;     // dynamic pool events
};

struct MapDirective {
  xlat::Ipv4Prefix v4;
  xlat::Ipv6Prefix v6;
  std::string where;  // file:line, for messages
};

using TunAddress = xlat::IpPrefix;

struct Config {
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

struct ConfigError {
  std::string message;  // "file:line: directive: what is wrong"
};

struct LoadResult {
  std::optional<Config> config;
  std::vector<ConfigError> errors;  // every problem found, in file order
};

// A Linux interface name (dev_valid_name): 1 to 15 bytes, not "." or "..", no '/',
// ':', whitespace or control characters. "" when valid, else why not.
std::string interface_name_problem(const std::string& name);

// Lines longer than this are refused unread (TAYGA stops at 512 bytes; clatd has no
// limit, but no setting needs more), so a huge token is never echoed back.
inline constexpr size_t kMaxConfigLine = 4096;
// Why a configuration line is refused before it is read, or "": too long, or a NUL byte
// (which would end the value early wherever it is read as a C string). Both lexers,
// tayga.conf and clatd.conf, apply it.
std::string config_line_problem(const std::string& line);

// The whole file at `path`; false when it cannot be read.
bool read_text_file(const std::string& path, std::string& out);

// Reads a tayga.conf or TOML file (by extension .toml, or by content) and validates it.
LoadResult load_config(const std::string& path);
// Same from text already read; `name` is used in messages; toml picks the syntax.
LoadResult parse_config_text(const std::string& text, const std::string& name, bool toml);

}  // namespace xlatd
