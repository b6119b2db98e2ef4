#include "xlat/drop_reason.hpp"

namespace xlat {

namespace {
constexpr std::string_view kNames[] = {
#define XLAT_NAME(e, n, x) n,
    XLAT_DROP_REASONS(XLAT_NAME)
#undef XLAT_NAME
};
constexpr std::string_view kExplanations[] = {
#define XLAT_EXPL(e, n, x) x,
    XLAT_DROP_REASONS(XLAT_EXPL)
#undef XLAT_EXPL
};
}  // namespace

std::string_view drop_reason_name(DropReason r) {
  auto i = static_cast<unsigned>(r);
  return i < kDropReasonCount ? kNames[i] : "unknown";
}

std::string_view drop_reason_explanation(DropReason r) {
  auto i = static_cast<unsigned>(r);
  return i < kDropReasonCount ? kExplanations[i] : "unknown";
}

}  // namespace xlat
