// What `xlatd stats`, the metrics and the counters line show of an address pool: how
// many addresses are in each state. The PLAT's dynamic pool provides it; the runtime
// knows nothing else of the pool.
#pragma once

#include <cstddef>

namespace xlatd {

struct PoolUsage {
  size_t active = 0, dormant = 0, free = 0;
};

class PoolUsageSource {
 public:
  virtual ~PoolUsageSource() = default;
  virtual PoolUsage usage() const = 0;
};

}  // namespace xlatd
