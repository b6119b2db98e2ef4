// CLAT mode's configuration: clatd.conf's keys as clatd 2.1 reads them (key=value
// lines, `#`, `;` and `//` comment lines, `-c FILE`, key=value overrides on the command
// line), or the same keys in TOML, validated into one struct. As in clatd, an unknown
// key or line in a file is a warning and ignored, an unknown key on the command line is
// an error; bad values are errors. Every message has file:line (or "command line").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/directive_line.hpp"
#include "xlat/addr.hpp"
#include "xlat/translator_config.hpp"

namespace xlatd::clat {

struct ClatConfig {
  std::string clat_dev = "clat";
  xlat::Ipv4Addr clat_v4_addr = 0xc0000001;  // 192.0.0.1 (RFC 7335)
  // clat-v6-addr: "shared" (the host's own address on the uplink, clatd's default),
  // "derived" (checksum-neutral in the uplink /64), or an address (clat_v6_addr).
  enum class V6Mode { Shared, Derived, Fixed };
  V6Mode clat_v6_mode = V6Mode::Shared;
  xlat::Ipv6Addr clat_v6_addr;
  std::optional<xlat::Ipv6Prefix> plat_prefix;           // overrides discovery
  std::string plat_dev;                                  // uplink; default: the default route's
  std::optional<xlat::Ipv6Prefix> plat_fallback_prefix;  // when discovery finds nothing
  std::vector<xlat::Ipv6Addr> dns64_servers;             // RFC 7050 resolvers to ask
  bool v4_conncheck_enable = true;
  uint32_t v4_conncheck_delay = 10;  // seconds
  bool v4_defaultroute_enable = true;
  bool v4_defaultroute_replace = false;
  uint32_t v4_defaultroute_metric = 2048;
  uint32_t v4_defaultroute_mtu = 1260;
  uint32_t v4_defaultroute_advmss = 0;  // 0: mtu - 40
  bool proxynd_enable = true;
  bool forwarding_enable = true;
  std::string script_up;
  std::string script_down;
  std::optional<uint32_t> route_table;
  bool fast_path = true;  // the kernel fast path (bpf/), where it loads
  // clatd's output levels (-q / quiet, -d / debug).
  uint32_t quiet = 0;
  uint32_t debug = 0;
  // tayga-v4-addr: the translator's own IPv4 address (source of its ICMPv4 errors);
  // default: the neighbour of clat-v4-addr in 192.0.0.0/29 (192.0.0.2 for 192.0.0.1).
  std::optional<xlat::Ipv4Addr> tayga_v4_addr;
  uint32_t ctmark = 0xc1a7;  // clatd's connection mark for clat-v6-addr=shared
  // Every clatd key with its value as clatd would hold it (its defaults, then the file,
  // then the command line): what script-up / script-down find in their environment.
  std::map<std::string, std::string> settings;

  // The translator's own IPv4 address: tayga-v4-addr, or clat-v4-addr's neighbour.
  xlat::Ipv4Addr translator_address() const;
  // The translator settings this configuration means on a TUN of `mtu`, translating to
  // `plat_prefix` (none yet: nothing but the CLAT's own errors) from `clat_v6`.
  xlat::TranslatorConfig translator(uint32_t mtu, const std::optional<xlat::Ipv6Prefix>& plat_prefix,
                                    const xlat::Ipv6Addr& clat_v6) const;
};

struct ClatLoad {
  std::optional<ClatConfig> config;
  std::vector<ConfigError> errors;
  std::vector<std::string> warnings;  // "file:line: ..." (unknown keys and lines, notes)
};

// `file` may be empty (defaults only); overrides are "key=value" from the command line,
// applied after the file.
ClatLoad load_clat_config(const std::string& file, const std::vector<std::string>& overrides);
ClatLoad parse_clat_text(const std::string& text, const std::string& name, bool toml,
                         const std::vector<std::string>& overrides);

// The effective configuration as clatd.conf lines (for --check-config), from the same
// table: every key clatd has that xlatd uses, `key=` where clatd's default behaviour
// (discovery, the default route) applies. Read back, it gives the same configuration.
std::string describe_clat_config(const ClatConfig& c);

}  // namespace xlatd::clat
