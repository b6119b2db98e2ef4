// Which packet events a worker logs (TAYGA's `log` directive).
#pragma once

namespace xlatd {

struct LogFlags {
  bool drop = false;    // packets dropped
  bool reject = false;  // packets answered with an ICMP error
  bool icmp = false;    // ICMP handling
  bool self = false;    // packets to the translator itself
  bool dyn = false;     // dynamic pool events
};

}  // namespace xlatd
