#include "harness/contract/layout.h"

#include <charconv>

namespace crashbench {

std::string_view LayoutName(Layout layout) {
  return layout == Layout::kShared ? "shared" : "per-task";
}

std::optional<Layout> LayoutFromName(std::string_view name) {
  if (name == "shared") return Layout::kShared;
  if (name == "per-task") return Layout::kPerTask;
  return std::nullopt;
}

std::string PerTaskFileName(long long task) { return "task-" + std::to_string(task) + ".json"; }

std::optional<long long> TaskFromPerTaskFileName(std::string_view name) {
  constexpr std::string_view kPrefix = "task-", kSuffix = ".json";
  if (name.size() <= kPrefix.size() + kSuffix.size() || name.substr(0, kPrefix.size()) != kPrefix ||
      name.substr(name.size() - kSuffix.size()) != kSuffix)
    return std::nullopt;
  std::string_view digits =
      name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
  if (digits.size() > 1 && digits[0] == '0') return std::nullopt;  // one canonical name per task
  long long t = -1;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), t);
  if (r.ec != std::errc() || r.ptr != digits.data() + digits.size() || t < 0) return std::nullopt;
  return t;
}

}  // namespace crashbench
