// Every counter a worker keeps, once: its name (the `xlatd stats` table, its JSON, the
// SIGUSR1 line), what it counts (Prometheus HELP) and its Prometheus family, a counter
// named with `_total` as Prometheus expects. Counters of one family (packets translated
// 4→6 and 6→4) are told apart by a label. The drop reasons follow as one family.
#pragma once

#include <array>
#include <cstddef>

namespace xlatd {

struct CounterInfo {
  const char* name;
  const char* help;    // of its family, where several share one
  const char* family;  // xlatd_<family>
  const char* label;   // "" or `key="value"` inside the family
};

inline constexpr std::array<CounterInfo, 13> kCounters = {{
    {"rx_packets", "Packets read from the TUN.", "rx_packets_total", ""},
    {"tx_packets", "Packets written to the TUN.", "tx_packets_total", ""},
    {"tx_errors", "Writes the kernel refused.", "tx_errors_total", ""},
    {"rx_errors", "Reads that failed.", "rx_errors_total", ""},
    {"translated_4to6", "Packets translated, by direction.", "translated_total", "direction=\"4to6\""},
    {"translated_6to4", "Packets translated, by direction.", "translated_total", "direction=\"6to4\""},
    {"fragments_made", "IPv6 fragments made from oversized IPv4.", "fragments_made_total", ""},
    {"icmp_errors_sent", "ICMP errors the translator generated.", "icmp_errors_sent_total", ""},
    {"icmp_errors_rate_limited", "ICMP errors not sent: over the rate limit.", "icmp_errors_rate_limited_total", ""},
    {"echo_replies_sent", "Pings of the translator's own address answered.", "echo_replies_total", ""},
    {"io_rounds", "Rounds of the worker's loop (a batch read, translated, written).", "io_rounds_total", ""},
    {"io_syscalls", "System calls the worker's queue made.", "io_syscalls_total", ""},
    {"gso_segmented", "Super-packets cut into packets in software.", "gso_segmented_total", ""},
}};
inline constexpr size_t kScalarCounters = kCounters.size();

}  // namespace xlatd
