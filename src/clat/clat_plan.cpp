#include "clat/clat_plan.hpp"

namespace xlatd::clat {

Plan decide(const ClatConfig& c, const Observation& o) {
  Plan p;
  p.uplink = o.uplink;
  p.uplink_prefix = o.uplink_prefix;
  // RFC 6877 §6.3 / RFC 7050 §3: the prefix must be discovered; an operator's explicit
  // setting wins, then the network's own announcement (RFC 8781 PREF64, which newer
  // guidance prefers to DNS), then DNS64 discovery, and the configured fallback last.
  if (c.plat_prefix) {
    p.plat_prefix = *c.plat_prefix;
    p.prefix_source = "plat-prefix";
  } else if (o.pref64) {
    p.plat_prefix = *o.pref64;
    p.prefix_source = "PREF64";
  } else if (!o.dns64.empty()) {
    // RFC 7050 §3: several prefixes may be found; the first answer is used.
    p.plat_prefix = o.dns64.front();
    p.prefix_source = "DNS64";
  } else if (c.plat_fallback_prefix) {
    p.plat_prefix = *c.plat_fallback_prefix;
    p.prefix_source = "plat-fallback-prefix";
  }

  if (o.uplink.empty()) {
    p.why = "no IPv6 uplink (no route toward the PLAT)";
  } else if (p.prefix_source.empty()) {
    p.why = "no PLAT prefix (no PREF64, no DNS64 answer, no plat-fallback-prefix)";
  } else if (c.clat_v6_mode != ClatConfig::V6Mode::Fixed && !o.uplink_prefix) {
    p.why = "no global IPv6 address on " + o.uplink +
            (c.clat_v6_mode == ClatConfig::V6Mode::Shared ? " to share" : " to derive the CLAT address from");
  } else {
    p.translate = true;
    p.why = "prefix " + xlat::to_string(p.plat_prefix) + " from " + p.prefix_source + " via " + o.uplink;
  }

  if (!p.translate) {
    p.route_why = "not translating";
  } else if (!c.v4_defaultroute_enable) {
    p.route_why = "v4-defaultroute-enable is off";
  } else if (c.v4_defaultroute_replace) {
    p.default_route = true;
    p.route_why = "v4-defaultroute-replace is on";
  } else if (c.v4_conncheck_enable && o.native_ipv4) {
    // RFC 6877 §6.3: the CLAT is for hosts without IPv4; native IPv4 takes precedence.
    p.route_why = "native IPv4 is present";
  } else if (c.v4_conncheck_enable && !o.conncheck_waited) {
    p.route_why = "waiting v4-conncheck-delay for native IPv4";
  } else {
    p.default_route = true;
    p.route_why = c.v4_conncheck_enable ? "no native IPv4" : "v4-conncheck-enable is off";
  }
  return p;
}

}  // namespace xlatd::clat
