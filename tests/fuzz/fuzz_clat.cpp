// libFuzzer target for what a CLAT reads from the network: Router Advertisements (their
// PREF64 options, RFC 8781) and DNS responses (RFC 7050's AAAA answers). The first byte
// picks the parser; every outcome must be a value, never a crash or an overread.
#include <cstddef>
#include <cstdint>
#include <span>

#include "clat/pref64_tracker.hpp"
#include "clat/prefix_discovery.hpp"
#include "xlat/rfc6052.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::span<const uint8_t> in(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      const auto found = xlatd::clat::pref64_from_router_advertisement(in);
      for (const auto& p : found) {
        // RFC 8781 §4: only the six RFC 6052 lengths can come out.
        if (!xlat::rfc6052_valid_length(p.prefix.len)) __builtin_trap();
      }
      // The tracker, fed from many "routers" (one per input), keeps its promises: a
      // prefix in use stays while its router still lists it.
      static xlatd::clat::Pref64Tracker tracker;
      static int64_t now = 0;
      xlat::Ipv6Addr router{};
      router.b[0] = 0xfe, router.b[1] = 0x80, router.b[15] = static_cast<uint8_t>(size);
      const auto before = tracker.current();
      const auto before_router = tracker.current_router();
      tracker.on_router_advertisement(router, size % 2 == 0, found, ++now);
      if (before && before_router != router && tracker.current() != before) __builtin_trap();
      if (now % 64 == 0) tracker.expire(now);
      break;
    }
    case 1: {
      const auto answers = xlatd::clat::aaaa_answers(in);
      for (const auto& p : xlatd::clat::prefixes_from_ipv4only_answers(answers)) {
        if (!xlat::rfc6052_valid_length(p.len)) __builtin_trap();
      }
      break;
    }
    default:
      (void)xlatd::clat::dns_response_id(in);
      (void)xlatd::clat::parse_pref64_option(in);
  }
  return 0;
}
