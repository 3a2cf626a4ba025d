#include "results/load_results.h"

#include <string>

#include "harness/contract/anomaly.h"
#include "results/results.h"

namespace crashbench {
namespace {

using nlohmann::json;

bool IsString(const json& v) { return v.is_string(); }
bool IsArray(const json& v) { return v.is_array(); }
bool IsObject(const json& v) { return v.is_object(); }

// Each check returns an error naming "path: field.path: rule, got VALUE".
struct Checker {
  const std::string& path;

  Status Fail(const std::string& field, const std::string& rule, const json& value) const {
    return Status::Error(path + ": " + field + ": " + rule + ", got " + JsonExcerpt(value));
  }
  Status Missing(const std::string& field, const std::string& what) const {
    return Status::Error(path + ": " + field + ": missing (" + what + ")");
  }

  static std::string Field(const std::string& at, const char* key) {
    return at.empty() ? key : at + "." + key;
  }

  static bool IsCount(const json& v) {
    return (v.is_number_unsigned() || v.is_number_integer()) && v.get<long long>() >= 0;
  }

  Status Count(const json& obj, const char* key, const std::string& at, bool required) const {
    const std::string field = Field(at, key);
    if (!obj.contains(key))
      return required ? Missing(field, "a non-negative integer") : Status::Ok();
    if (!IsCount(obj[key])) return Fail(field, "must be a non-negative integer", obj[key]);
    return Status::Ok();
  }

  // A field checked only when present: `ok` says whether its value fits.
  template <typename Pred>
  Status Typed(const json& obj, const char* key, const std::string& at, Pred ok,
               const char* rule) const {
    if (obj.contains(key) && !ok(obj[key])) return Fail(Field(at, key), rule, obj[key]);
    return Status::Ok();
  }

  Status Anomalies(const json& trial, const std::string& at) const {
    const std::string field = at + ".anomalies";
    if (!trial.contains("anomalies")) return Missing(field, "an object of anomaly kind -> count");
    const json& a = trial["anomalies"];
    if (!a.is_object()) return Fail(field, "must be an object of anomaly kind -> count", a);
    for (auto it = a.begin(); it != a.end(); ++it) {
      const std::string kind_field = field + "." + Excerpt(it.key());
      if (!AnomalyFromName(it.key()))
        return Status::Error(path + ": " + kind_field +
                             ": unknown anomaly kind (valid kinds: " + AnomalyNameList() + ")");
      if (!IsCount(*it)) return Fail(kind_field, "must be a non-negative integer", *it);
    }
    return Status::Ok();
  }

  // A power-loss trial's crash-state counts: every count present and
  // non-negative, per_s a non-negative number.
  Status CrashStates(const json& t, const std::string& at) const {
    if (!t.contains("crash_states")) return Status::Ok();
    const std::string field = at + ".crash_states";
    const json& c = t["crash_states"];
    if (!c.is_object())
      return Fail(field, "must be an object {enumerated, distinct, checked, violating, per_s}", c);
    for (const char* key : {"enumerated", "distinct", "checked", "violating"})
      RETURN_IF_ERROR(Count(c, key, field, true));
    if (!c.contains("per_s")) return Missing(field + ".per_s", "a non-negative number");
    RETURN_IF_ERROR(Typed(
        c, "per_s", field, [](const json& v) { return v.is_number() && v.get<double>() >= 0; },
        "must be a non-negative number"));
    RETURN_IF_ERROR(Typed(
        c, "complete", field, [](const json& v) { return v.is_boolean(); },
        "must be true or false"));
    if (c["checked"].get<long long>() > c["distinct"].get<long long>() ||
        c["violating"].get<long long>() > c["checked"].get<long long>())
      return Fail(field, "must hold violating <= checked <= distinct", c);
    return Status::Ok();
  }

  Status Trial(const json& t, const std::string& at) const {
    if (!t.is_object()) return Fail(at, "must be a trial object", t);
    RETURN_IF_ERROR(Count(t, "index", at, true));
    RETURN_IF_ERROR(Anomalies(t, at));
    RETURN_IF_ERROR(Count(t, "violations", at, false));
    RETURN_IF_ERROR(Count(t, "records_visible", at, false));
    for (const char* key :
         {"acked_tasks", "failed_tasks", "lost_in_flight", "retried_tasks", "lost_tasks"})
      RETURN_IF_ERROR(Count(t, key, at, false));
    RETURN_IF_ERROR(Typed(
        t, "duration_ms", at, [](const json& v) { return v.is_number() && v.get<double>() >= 0; },
        "must be a non-negative number"));
    RETURN_IF_ERROR(Typed(
        t, "fired", at, [](const json& v) { return v.is_null() || v.is_object(); },
        "must be null or an object"));
    for (const char* key : {"replay", "error", "kept_dir"})
      RETURN_IF_ERROR(Typed(t, key, at, IsString, "must be a string"));
    for (const char* key : {"details", "processes"})
      RETURN_IF_ERROR(Typed(t, key, at, IsArray, "must be an array"));
    RETURN_IF_ERROR(CrashStates(t, at));
    RETURN_IF_ERROR(Typed(t, "power_loss", at, IsObject, "must be an object"));
    RETURN_IF_ERROR(Typed(
        t, "inconclusive", at, [](const json& v) { return v.is_boolean(); },
        "must be true or false"));
    return Status::Ok();
  }

  Status Scenario(const json& s, const std::string& at) const {
    if (!s.is_object()) return Fail(at, "must be a scenario object", s);
    if (!s.contains("name")) return Missing(at + ".name", "a string");
    if (!s["name"].is_string()) return Fail(at + ".name", "must be a string", s["name"]);
    for (const char* key : {"summary", "expect", "workload", "fault", "options"})
      RETURN_IF_ERROR(Typed(s, key, at, IsObject, "must be an object"));
    if (!s.contains("trials")) return Missing(at + ".trials", "an array of trials");
    const json& trials = s["trials"];
    if (!trials.is_array()) return Fail(at + ".trials", "must be an array of trials", trials);
    for (size_t j = 0; j < trials.size(); ++j)
      RETURN_IF_ERROR(Trial(trials[j], at + ".trials[" + std::to_string(j) + "]"));
    return Status::Ok();
  }
};

}  // namespace

Status ValidateResultsDocument(const json& doc, const std::string& path) {
  if (!doc.is_object() || !doc.contains("schema_version"))
    return Status::Error(path +
                         ": not a crashbench results file (no \"schema_version\" at the top level; "
                         "crashbench run writes one as results.json)");
  if (!doc["schema_version"].is_number_integer() ||
      doc["schema_version"].get<int>() != kResultsSchemaVersion)
    return Status::Error(path + ": schema_version " + JsonExcerpt(doc["schema_version"]) +
                         " is not supported (this crashbench reads schema_version " +
                         std::to_string(kResultsSchemaVersion) + ")");
  const Checker check{path};
  RETURN_IF_ERROR(check.Typed(
      doc, "interrupted", "", [](const json& v) { return v.is_boolean(); },
      "must be true or false"));
  if (!doc.contains("scenarios")) return check.Missing("scenarios", "an array of scenarios");
  const json& scenarios = doc["scenarios"];
  if (!scenarios.is_array())
    return check.Fail("scenarios", "must be an array of scenarios", scenarios);
  for (size_t i = 0; i < scenarios.size(); ++i)
    RETURN_IF_ERROR(check.Scenario(scenarios[i], "scenarios[" + std::to_string(i) + "]"));
  return Status::Ok();
}

Result<json> LoadResultsFile(const std::string& path, const JsonObjectHook& hook) {
  Result<json> read = ReadJsonFile(path, JsonLimits{}, hook);
  if (!read.ok()) return read.status();
  RETURN_IF_ERROR(ValidateResultsDocument(*read, path));
  return read;
}

}  // namespace crashbench
