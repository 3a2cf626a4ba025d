// The fault object of a scenario beyond its trigger: a fault's own options
// (Fault::options(): power-loss's "model", "states", ...), the refusal of a
// target or trigger for a fault that is the whole run, and the fault as
// results keep it.
#include <nlohmann/json.hpp>

#include "faults/registry.h"
#include "harness/base/json_file.h"
#include "scenarios/scenario.h"
#include "scenarios/syscall_trigger_spec.h"

namespace crashbench {
namespace {

using nlohmann::json;

std::string ValueList(const FaultOption& o) {
  std::string s;
  for (std::string_view v : o.values) (s += s.empty() ? "" : ", ") += v;
  if (o.accepts_count) s += ", or a positive integer";
  return s;
}

bool IsCount(const std::string& text) {
  if (text.empty() || text.size() > 15 || text[0] == '0') return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

json TriggerToJson(const TriggerSpec& t) {
  json j = json::object();
  switch (t.type) {
    case TriggerType::kNone:
      break;
    case TriggerType::kAfterRecords:
      j["after_records"] = t.after_records;
      break;
    case TriggerType::kAfterMs:
      j["after_ms"] = t.after_ms;
      break;
    case TriggerType::kRandom:
      j["random"] = true;
      break;
    case TriggerType::kPoint:
      j["point"] = std::string(FaultPointName(t.point));
      if (t.occurrence) j["occurrence"] = *t.occurrence;
      break;
    case TriggerType::kSyscall:
      j["syscall"] = SyscallTriggerToJson(t.syscall.value_or(SyscallTrigger{}));
      break;
  }
  return j;
}

}  // namespace

Status ResolveFaultOptions(const Fault& fault, std::map<std::string, std::string>* options) {
  const std::vector<FaultOption> known = fault.options();
  for (const auto& [key, value] : *options) {
    const FaultOption* o = nullptr;
    for (const FaultOption& k : known)
      if (k.key == key) o = &k;
    if (!o) {
      std::string valid;
      for (const FaultOption& k : known) (valid += valid.empty() ? "" : ", ") += k.key;
      return Status::Error("fault '" + std::string(fault.name()) + "' has no option '" +
                           Excerpt(key) + "' (valid options: " + (valid.empty() ? "none" : valid) +
                           ")");
    }
    bool ok = o->accepts_count && IsCount(value);
    for (std::string_view v : o->values) ok |= v == value;
    if (!ok)
      return Status::Error("fault." + key + ": '" + Excerpt(value) + "' is not a valid value (" +
                           ValueList(*o) + ")");
  }
  for (const FaultOption& k : known)
    if (!options->count(std::string(k.key)))
      (*options)[std::string(k.key)] = std::string(k.values.front());
  return fault.CheckOptions(*options);
}

Status ParseFaultOptions(const json& j, const Fault& fault, const std::string& where,
                         std::map<std::string, std::string>* out) {
  out->clear();
  for (const FaultOption& o : fault.options()) {
    const std::string key(o.key);
    if (!j.contains(key)) continue;
    const json& v = j[key];
    if (v.is_string())
      (*out)[key] = v.get<std::string>();
    else if (o.accepts_count && v.is_number_integer() && v.get<long long>() > 0)
      (*out)[key] = std::to_string(v.get<long long>());
    else
      return Status::Error(where + ": fault." + key + ": must be " + ValueList(o) + ", got " +
                           JsonExcerpt(v));
  }
  Status st = ResolveFaultOptions(fault, out);
  return st.ok() ? st : Status::Error(where + ": " + st.message());
}

Status CheckWholeRunFault(const json& j, const Fault& fault, const std::string& where) {
  if (!fault.whole_run()) return Status::Ok();
  for (const char* key : {"target", "trigger"})
    if (j.contains(key)) {
      std::string valid = "kind, method";
      for (const FaultOption& o : fault.options()) (valid += ", ") += o.key;
      return Status::Error(where + ": fault." + key + ": fault '" + std::string(fault.name()) +
                           "' takes no " + key +
                           ": it is the whole run, its crash points are the cuts of the recorded "
                           "run (valid keys: " +
                           valid + ")");
    }
  return Status::Ok();
}

json FaultToJson(const FaultSpec& f) {
  json j = {{"kind", f.kind}};
  if (f.kind == "none") return j;
  if (f.method != "auto") j["method"] = f.method;
  for (const auto& [key, value] : f.options) {
    if (IsCount(value))
      j[key] = std::stoll(value);
    else
      j[key] = value;
  }
  const FaultInfo* info = FindFault(f.kind);
  if (info && info->make()->whole_run()) return j;
  j["target"] = std::string(FaultTargetName(f.target));
  j["trigger"] = TriggerToJson(f.trigger);
  return j;
}

}  // namespace crashbench
