// The two output layouts of the record contract.
//   shared:   one file, records.jsonl, one record per line (JSON Lines)
//   per-task: one file per task, task-<T>.json, {"task":T,"count":N,"records":[...]}
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace crashbench {

enum class Layout { kShared, kPerTask };

inline constexpr std::string_view kSharedFileName = "records.jsonl";

std::string_view LayoutName(Layout layout);
std::optional<Layout> LayoutFromName(std::string_view name);
std::string PerTaskFileName(long long task);  // "task-<T>.json"
// Parses "task-<T>.json"; nullopt for any other name.
std::optional<long long> TaskFromPerTaskFileName(std::string_view name);

}  // namespace crashbench
