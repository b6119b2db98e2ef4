// One-line human-readable summaries of IPv4 / IPv6 packets, for logs, tools and tests
// (not for the packet path: a summary allocates its string).
#pragma once

#include <cstdint>
#include <string>

namespace xlat {

std::string summarize_packet(const uint8_t* p, uint32_t len);

}  // namespace xlat
