// libFuzzer target: RFC 7915 §4, IPv4 → IPv6.
#include "fuzz_harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz::run_one<true>(data, size);
}
