// libFuzzer target: RFC 7915 §5, IPv6 → IPv4.
#include "fuzz_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz::run_one<false>(data, size);
}
