// Reading a results file back: the checks the gate and compare rely on before
// they look inside, each failure naming the file and what is wrong with it.
// Declared in results/gate.h.
#include <nlohmann/json.hpp>
#include <string>

#include "harness/base/json_file.h"
#include "results/gate.h"
#include "results/results.h"

namespace crashbench {

using nlohmann::json;

Result<json> LoadResultsFile(const std::string& path) {
  Result<json> read = ReadJsonFile(path);
  if (!read.ok()) return read.status();
  json j = std::move(*read);
  if (!j.is_object() || !j.contains("schema_version"))
    return Status::Error(
        path + ": not a crashbench results file (no \"schema_version\" at the top level)");
  if (!j["schema_version"].is_number_integer() ||
      j["schema_version"].get<int>() != kResultsSchemaVersion)
    return Status::Error(path + ": schema_version " + JsonExcerpt(j["schema_version"]) +
                         " is not supported (this crashbench reads schema_version " +
                         std::to_string(kResultsSchemaVersion) + ")");
  if (!j.contains("scenarios") || !j["scenarios"].is_array())
    return Status::Error(path + ": no \"scenarios\" array");
  for (size_t i = 0; i < j["scenarios"].size(); ++i) {
    const json& s = j["scenarios"][i];
    const std::string where = path + ": scenarios[" + std::to_string(i) + "]";
    if (!s.is_object() || !s.contains("name") || !s["name"].is_string())
      return Status::Error(where + ": no \"name\" string");
    if (!s.contains("trials") || !s["trials"].is_array())
      return Status::Error(where + " ('" + Excerpt(s["name"].get<std::string>()) +
                           "'): no \"trials\" array");
  }
  return j;
}

}  // namespace crashbench
