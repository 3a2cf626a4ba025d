#include "scenarios/syscall_trigger_spec.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "faults/registry.h"
#include "harness/base/json_file.h"

namespace crashbench {
namespace {

using nlohmann::json;
const char kWhere[] = "fault.trigger.syscall";

Status Err(const std::string& key, const std::string& what) {
  return Status::Error(std::string(kWhere) + (key.empty() ? "" : "." + key) + ": " + what);
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const std::string& x : v) (s += s.empty() ? "" : sep) += x;
  return s;
}

Status ParseOps(const json& ops, SyscallTrigger* out) {
  const std::string valid = " (valid calls: " + Join(TappedCallNames(), ", ") + ")";
  if (!ops.is_array()) return Err("ops", "must be an array of system call names" + valid);
  for (const json& op : ops) {
    const std::vector<std::string>& names = TappedCallNames();
    if (!op.is_string() ||
        std::find(names.begin(), names.end(), op.get<std::string>()) == names.end())
      return Err("ops", "unknown or untapped call " + JsonExcerpt(op) + valid);
    out->ops.push_back(op.get<std::string>());
  }
  return Status::Ok();
}

Status ParsePath(const json& path, SyscallTrigger* out) {
  if (!path.is_string()) return Err("path", "must be a string (a glob), got " + JsonExcerpt(path));
  std::string glob = path.get<std::string>();
  if (glob == "{out}") glob = "";
  if (glob.rfind("{out}/", 0) == 0) glob = glob.substr(6);
  if (!glob.empty() && glob[0] == '/')
    return Err("path", "'" + Excerpt(glob) +
                           "' is absolute: the glob is relative to the output directory "
                           "(\"part-*.jsonl\", \"{out}/sub/**\")");
  out->path_glob = glob;
  return Status::Ok();
}

Status ParseOccurrence(const json& k, SyscallTrigger* out) {
  if (k.is_string() && k.get<std::string>() == "random") return Status::Ok();
  if (!k.is_number_integer() || k.get<long long>() < 1 || k.get<long long>() > (1LL << 40))
    return Err(
        "occurrence",
        "must be an integer from 1 (the first matching call) or \"random\", got " + JsonExcerpt(k));
  out->occurrence = k.get<long long>();
  return Status::Ok();
}

}  // namespace

Status ParseSyscallTrigger(const json& j, SyscallTrigger* out) {
  const std::vector<std::string> keys = {"ops", "path", "occurrence", "contains", "when"};
  if (!j.is_object()) return Err("", "must be a JSON object with keys " + Join(keys, ", "));
  for (auto it = j.begin(); it != j.end(); ++it)
    if (std::find(keys.begin(), keys.end(), it.key()) == keys.end())
      return Err("",
                 "unknown key '" + Excerpt(it.key()) + "' (valid keys: " + Join(keys, ", ") + ")");
  if (j.contains("ops")) RETURN_IF_ERROR(ParseOps(j["ops"], out));
  if (j.contains("path")) RETURN_IF_ERROR(ParsePath(j["path"], out));
  if (j.contains("occurrence")) RETURN_IF_ERROR(ParseOccurrence(j["occurrence"], out));
  if (j.contains("contains")) {
    if (!j["contains"].is_string() || j["contains"].get<std::string>().empty())
      return Err("contains", "must be a non-empty string, got " + JsonExcerpt(j["contains"]));
    out->contains = j["contains"].get<std::string>();
  }
  if (j.contains("when")) {
    const json& w = j["when"];
    if (w == "after")
      out->when = TapPhase::kAfter;
    else if (w != "before")
      return Err("when", "must be \"before\" or \"after\", got " + JsonExcerpt(w));
  }
  return Status::Ok();
}

json SyscallTriggerToJson(const SyscallTrigger& t) {
  json j = json::object();
  if (!t.ops.empty()) j["ops"] = t.ops;
  if (!t.path_glob.empty()) j["path"] = t.path_glob;
  if (t.occurrence)
    j["occurrence"] = *t.occurrence;
  else
    j["occurrence"] = "random";
  if (!t.contains.empty()) j["contains"] = t.contains;
  j["when"] = t.when == TapPhase::kAfter ? "after" : "before";
  return j;
}

std::string SyscallTriggerLabel(const SyscallTrigger& t) {
  std::string s = t.ops.empty() ? "any" : Join(t.ops, "+");
  if (!t.contains.empty()) s += "~\"" + Excerpt(t.contains) + "\"";
  s += "#" + (t.occurrence ? std::to_string(*t.occurrence) : std::string("random"));
  if (t.when == TapPhase::kAfter) s += "/after";
  return s;
}

Status CheckSyscallFault(const std::string& kind, const Fault& fault, FaultTarget target,
                         const SyscallTrigger& t) {
  const std::string what = "fault '" + kind + "' at a syscall trigger";
  if (!IsCommandTarget(target))
    return Status::Error(what + ": target '" + std::string(FaultTargetName(target)) +
                         "' is not a process of a command's tree (valid targets: " +
                         std::string(kCommandTargetNames) + ")");
  const std::optional<SyscallAction> a = fault.at_syscall();
  if (!a) {
    std::vector<std::string> can;
    for (const FaultInfo& f : AllFaults())
      if (f.make()->at_syscall()) can.emplace_back(f.name);
    return Status::Error("fault '" + kind + "' cannot act at a system call (faults that can: " +
                         Join(can, ", ") + ")");
  }
  const bool on_call = a->kind == SyscallAction::kFail || a->kind == SyscallAction::kShortWrite ||
                       a->kind == SyscallAction::kExitCaller;
  if (on_call && target == FaultTarget::kTree)
    return Status::Error(what +
                         " acts on the stopped call itself: target 'caller' or 'root', "
                         "not 'tree'");
  const bool before_only = a->kind == SyscallAction::kFail || a->kind == SyscallAction::kShortWrite;
  if (before_only && t.when == TapPhase::kAfter)
    return Status::Error(what +
                         " changes the call before it runs: \"when\": \"after\" does not "
                         "apply (use \"before\")");
  if (a->kind == SyscallAction::kShortWrite) {
    const std::vector<std::string>& w = WriteLikeCallNames();
    bool only_writes = !t.ops.empty();
    for (const std::string& op : t.ops) only_writes &= std::find(w.begin(), w.end(), op) != w.end();
    if (!only_writes)
      return Status::Error(what + " cuts the length of a write: \"ops\" must list only " +
                           Join(w, ", "));
  }
  return Status::Ok();
}

}  // namespace crashbench
