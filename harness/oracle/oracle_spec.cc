// ParseOracleSpec and OracleSpecToJson: a scenario's "verify" object, read
// strictly (an unknown key, a wrong type or an unknown name is an error that
// names the place and the valid choices), and written back so that parsing
// the result gives the same spec.
#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "harness/base/json_file.h"
#include "harness/oracle/oracle_internal.h"

namespace crashbench {
namespace {

using nlohmann::json;
using oracle_internal::OracleDef;

struct Where {
  const std::string& where;
  Status Error(const std::string& field, const std::string& what) const {
    std::string s = where.empty() ? "" : where + ": ";
    s += "verify";
    if (!field.empty()) s += "." + field;
    return Status::Error(s + ": " + what);
  }
};

std::string Join(const std::vector<std::string_view>& items) {
  std::string s;
  for (std::string_view i : items) (s += s.empty() ? "" : ", ") += i;
  return s;
}

// A glob stays inside the output directory: relative, no "." or ".."
// components, no empty ones; "{out}/" in front is dropped.
Status ParseGlob(const json& j, const std::string& field, const Where& w, std::string* out) {
  if (!j.is_string()) return w.Error(field, "must be a string (a glob), got " + JsonExcerpt(j));
  std::string glob = oracle_internal::NormalizeGlob(j.get<std::string>(), "");
  if (glob.empty()) return w.Error(field, "is empty: name files relative to the output directory");
  if (glob.find("{out}") != std::string::npos)
    return w.Error(field, "'{out}' may only stand at the front, as \"{out}/...\" (got \"" +
                              Excerpt(glob) + "\")");
  if (glob[0] == '/')
    return w.Error(
        field, "\"" + Excerpt(glob) + "\" is absolute: globs are relative to the output directory");
  for (size_t start = 0; start <= glob.size();) {
    size_t slash = glob.find('/', start);
    if (slash == std::string::npos) slash = glob.size();
    const std::string_view part = std::string_view(glob).substr(start, slash - start);
    if (part.empty() || part == "." || part == "..")
      return w.Error(field, "\"" + Excerpt(glob) +
                                "\" has an empty, '.' or '..' component: globs name files "
                                "inside the output directory");
    start = slash + 1;
  }
  *out = std::move(glob);
  return Status::Ok();
}

Status ParseStrings(const json& j, const std::string& field, const Where& w, bool globs,
                    std::vector<std::string>* out) {
  if (!j.is_array() || j.empty())
    return w.Error(field, std::string("must be a non-empty array of ") +
                              (globs ? "globs" : "strings (the checker's argv)") + ", got " +
                              JsonExcerpt(j));
  for (size_t i = 0; i < j.size(); ++i) {
    const std::string at = field + "[" + std::to_string(i) + "]";
    if (globs) {
      std::string glob;
      RETURN_IF_ERROR(ParseGlob(j[i], at, w, &glob));
      out->push_back(std::move(glob));
    } else {
      if (!j[i].is_string()) return w.Error(at, "must be a string, got " + JsonExcerpt(j[i]));
      out->push_back(j[i].get<std::string>());
    }
  }
  if (!globs && out->front().empty()) return w.Error(field + "[0]", "must name the checker");
  return Status::Ok();
}

Status ParseField(const std::string& key, const json& value, const Where& w, OracleSpec* spec) {
  if (key == "layout") {
    if (!value.is_string()) return w.Error(key, "must be a string, got " + JsonExcerpt(value));
    std::optional<Layout> layout = LayoutFromName(value.get<std::string>());
    if (!layout)
      return w.Error(key, "unknown layout '" + Excerpt(value.get<std::string>()) +
                              "' (valid layouts: shared, per-task)");
    spec->layout = *layout;
  } else if (key == "files") {
    RETURN_IF_ERROR(ParseStrings(value, key, w, /*globs=*/true, &spec->files));
  } else if (key == "count") {
    constexpr long long kMaxCount = 1'000'000'000'000;
    if (!value.is_number_integer())
      return w.Error(key, "must be an integer, got " + JsonExcerpt(value));
    const bool huge = value.is_number_unsigned() && value.get<uint64_t>() > kMaxCount;
    const long long n = huge ? kMaxCount + 1 : value.get<long long>();
    if (n < 0 || n > kMaxCount)
      return w.Error(
          key, JsonExcerpt(value) + " is out of range (0.." + std::to_string(kMaxCount) + ")");
    spec->count = n;
  } else if (key == "command") {
    RETURN_IF_ERROR(ParseStrings(value, key, w, /*globs=*/false, &spec->command));
  }
  return Status::Ok();
}

std::string OracleNameList() {
  std::vector<std::string_view> names;
  for (const OracleDef& d : oracle_internal::Registry()) names.push_back(d.name);
  return Join(names);
}

}  // namespace

Result<OracleSpec> ParseOracleSpec(const nlohmann::json& verify, const std::string& where) {
  const Where w{where};
  if (!verify.is_object()) return w.Error("", "must be a JSON object, got " + JsonExcerpt(verify));
  auto oracle = verify.find("oracle");
  if (oracle == verify.end())
    return w.Error("", "missing required key 'oracle' (valid oracles: " + OracleNameList() + ")");
  if (!oracle->is_string())
    return w.Error("oracle", "must be a string (one of " + OracleNameList() + "), got " +
                                 JsonExcerpt(*oracle));
  const OracleDef* def = oracle_internal::FindOracle(oracle->get<std::string>());
  if (!def)
    return w.Error("oracle", "unknown oracle '" + Excerpt(oracle->get<std::string>()) +
                                 "' (valid oracles: " + OracleNameList() + ")");
  OracleSpec spec;
  spec.kind = def->kind;
  std::vector<std::string_view> valid = {"oracle"};
  valid.insert(valid.end(), def->keys.begin(), def->keys.end());
  for (auto it = verify.begin(); it != verify.end(); ++it) {
    if (it.key() == "oracle") continue;
    if (std::find(def->keys.begin(), def->keys.end(), it.key()) == def->keys.end())
      return w.Error("", "unknown key '" + Excerpt(it.key()) + "' for oracle '" +
                             std::string(def->name) + "' (valid keys: " + Join(valid) + ")");
    RETURN_IF_ERROR(ParseField(it.key(), it.value(), w, &spec));
  }
  for (std::string_view key : def->required)
    if (!verify.contains(key))
      return w.Error("", "oracle '" + std::string(def->name) + "' needs '" + std::string(key) +
                             "' (valid keys: " + Join(valid) + ")");
  return spec;
}

nlohmann::json OracleSpecToJson(const OracleSpec& spec) {
  json j = {{"oracle", std::string(OracleName(spec.kind))}};
  const OracleDef* def = oracle_internal::FindOracle(spec.kind);
  for (std::string_view key : def ? def->keys : std::vector<std::string_view>{}) {
    if (key == "layout") {
      j["layout"] = std::string(LayoutName(spec.layout));
    } else if (key == "files") {
      j["files"] = spec.files;
    } else if (key == "count") {
      if (spec.count) j["count"] = *spec.count;
    } else if (key == "command") {
      j["command"] = spec.command;
    }
  }
  return j;
}

}  // namespace crashbench
