// clat-v6-addr=shared, clatd's way: the CLAT translates to the host's own IPv6 address,
// so replies to it would be delivered to the host's sockets. The connections the CLAT
// opened are marked (conntrack mark `ctmark`) as their first packet leaves the CLAT
// device toward the PLAT prefix; replies carrying that mark get it as their packet mark,
// and a policy rule sends packets with that mark into the CLAT device. The host's own
// connections to the PLAT prefix carry no mark and are left alone.
//
// The marking is an nftables table of its own, set up through libnftables (no `nft`
// process): table ip6 xlatd_clat_<dev>, one prerouting chain at mangle priority.
#pragma once

#include <cstdint>
#include <string>

#include "xlat/addr.hpp"

namespace xlatd::clat {

// The nftables table name for a CLAT device ("clat" -> "xlatd_clat_clat").
std::string conntrack_mark_table(const std::string& clat_dev);

// The nftables commands that create the table (pure: tests read them).
std::string conntrack_mark_ruleset(const std::string& clat_dev, const xlat::Ipv6Addr& host,
                                   const xlat::Ipv6Prefix& plat_prefix, uint32_t mark);

// Creates (replacing any earlier one) / deletes the table. Deleting a table that is not
// there is fine.
bool set_conntrack_mark(bool on, const std::string& clat_dev, const xlat::Ipv6Addr& host,
                        const xlat::Ipv6Prefix& plat_prefix, uint32_t mark, std::string& error);

}  // namespace xlatd::clat
