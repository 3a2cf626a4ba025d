#include "scenarios/scenario.h"

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>

#include "faults/registry.h"
#include "harness/base/json_file.h"
#include "scenarios/syscall_trigger_spec.h"
#include "strategies/strategy.h"

namespace crashbench {
namespace {

using nlohmann::json;

// Where a value sits, for messages: "scenarios/x.json: scenario 'name': fault.trigger".
struct Where {
  const std::string& source;
  std::string scenario;
  std::string Prefix() const {
    return scenario.empty() ? source : source + ": scenario '" + scenario + "'";
  }
  Status Error(const std::string& path, const std::string& what) const {
    std::string s = Prefix();
    if (!path.empty()) s += ": " + path;
    return Status::Error(s + ": " + what);
  }
};

std::string KeyList(const std::vector<std::string>& keys) {
  std::string s;
  for (const auto& k : keys) (s += s.empty() ? "" : ", ") += k;
  return s;
}

Status CheckKeys(const json& obj, const std::vector<std::string>& valid, const Where& w,
                 const std::string& path) {
  if (!obj.is_object()) return w.Error(path, "must be a JSON object");
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool ok = false;
    for (const auto& v : valid) ok |= v == it.key();
    if (!ok)
      return w.Error(
          path, "unknown key '" + Excerpt(it.key()) + "' (valid keys: " + KeyList(valid) + ")");
  }
  return Status::Ok();
}

Status GetInt(const json& obj, const char* key, long long min, long long max, long long* out,
              const Where& w, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) return Status::Ok();
  std::string p = path.empty() ? key : path + "." + key;
  if (!it->is_number_integer()) return w.Error(p, "must be an integer, got " + JsonExcerpt(*it));
  long long v = it->get<long long>();
  if (v < min || v > max)
    return w.Error(p, std::to_string(v) + " is out of range (" + std::to_string(min) + ".." +
                          std::to_string(max) + ")");
  *out = v;
  return Status::Ok();
}

Status GetString(const json& obj, const char* key, std::string* out, const Where& w,
                 const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end()) return Status::Ok();
  if (!it->is_string())
    return w.Error(path.empty() ? key : path + "." + key,
                   "must be a string, got " + JsonExcerpt(*it));
  *out = it->get<std::string>();
  return Status::Ok();
}

Status ParseTrigger(const json& j, TriggerSpec* t, const Where& w) {
  const std::string path = "fault.trigger";
  RETURN_IF_ERROR(CheckKeys(
      j, {"after_records", "after_ms", "random", "point", "occurrence", "syscall"}, w, path));
  int kinds = j.contains("after_records") + j.contains("after_ms") + j.contains("random") +
              j.contains("point") + j.contains("syscall");
  if (kinds != 1)
    return w.Error(path, "needs exactly one of after_records, after_ms, random, point, syscall");
  if (j.contains("occurrence") && !j.contains("point"))
    return w.Error(path, "'occurrence' goes with 'point' (a syscall trigger has its own)");
  if (j.contains("syscall")) {
    t->type = TriggerType::kSyscall;
    Status st = ParseSyscallTrigger(j["syscall"], &t->syscall.emplace());
    return st.ok() ? st : w.Error("", st.message());
  }
  if (j.contains("after_records")) {
    t->type = TriggerType::kAfterRecords;
    return GetInt(j, "after_records", 1, 1LL << 40, &t->after_records, w, path);
  }
  if (j.contains("after_ms")) {
    t->type = TriggerType::kAfterMs;
    return GetInt(j, "after_ms", 0, 1LL << 31, &t->after_ms, w, path);
  }
  if (j.contains("random")) {
    if (j["random"] != true) return w.Error(path + ".random", "must be true");
    t->type = TriggerType::kRandom;
    return Status::Ok();
  }
  t->type = TriggerType::kPoint;
  std::string name;
  RETURN_IF_ERROR(GetString(j, "point", &name, w, path));
  if (!FaultPointFromName(name, &t->point))
    return w.Error(path + ".point", "unknown fault point '" + Excerpt(name) +
                                        "' (valid points: " + FaultPointNameList() + ")");
  if (j.contains("occurrence")) {
    long long k = 0;
    RETURN_IF_ERROR(GetInt(j, "occurrence", 1, 1LL << 40, &k, w, path));
    t->occurrence = k;
  }
  return Status::Ok();
}

Status ParseFault(const json& j, FaultSpec* f, const Where& w) {
  if (!j.is_object()) return w.Error("fault", "must be a JSON object");
  RETURN_IF_ERROR(GetString(j, "kind", &f->kind, w, "fault"));
  if (!FindFault(f->kind))
    return w.Error("fault.kind", "unknown fault '" + Excerpt(f->kind) +
                                     "' (valid faults: " + FaultNameList() + ")");
  const std::unique_ptr<Fault> fault = FindFault(f->kind)->make();
  std::vector<std::string> keys = {"kind", "method"};
  if (!fault->whole_run()) keys.insert(keys.end(), {"target", "trigger"});
  for (const FaultOption& o : fault->options()) keys.emplace_back(o.key);
  RETURN_IF_ERROR(CheckWholeRunFault(j, *fault, w.Prefix()));
  RETURN_IF_ERROR(CheckKeys(j, keys, w, "fault"));
  RETURN_IF_ERROR(ParseFaultOptions(j, *fault, w.Prefix(), &f->options));
  RETURN_IF_ERROR(GetString(j, "method", &f->method, w, "fault"));
  std::vector<std::string> methods;
  for (const FaultMethod& m : FindFault(f->kind)->make()->methods()) methods.emplace_back(m.name);
  if (std::find(methods.begin(), methods.end(), f->method) == methods.end())
    return w.Error("fault.method", "fault '" + f->kind + "' has no method '" + Excerpt(f->method) +
                                       "' (valid methods: " + KeyList(methods) + ")");
  std::string target = "worker";
  RETURN_IF_ERROR(GetString(j, "target", &target, w, "fault"));
  if (!FaultTargetFromName(target, &f->target))
    return w.Error("fault.target", "unknown target '" + Excerpt(target) +
                                       "' (valid targets: " + std::string(kFaultTargetNames) + ")");
  if (j.contains("trigger")) RETURN_IF_ERROR(ParseTrigger(j["trigger"], &f->trigger, w));
  // A syscall trigger's default target is the process that made the call.
  if (!j.contains("target") && f->trigger.type == TriggerType::kSyscall)
    f->target = FaultTarget::kCaller;
  return Status::Ok();
}

// How the pool starts workers, treats a dead one, and whether the run is resumed.
Status ParseRunModes(const json& j, Scenario* s, const Where& w) {
  std::string method = "fork";
  RETURN_IF_ERROR(GetString(j, "start_method", &method, w, ""));
  if (method == "spawn")
    s->start_method = StartMethod::kSpawn;
  else if (method != "fork")
    return w.Error("start_method",
                   "unknown start method '" + Excerpt(method) + "' (valid: fork, spawn)");
  std::string policy(WorkerDeathPolicyName(s->on_worker_death));
  RETURN_IF_ERROR(GetString(j, "on_worker_death", &policy, w, ""));
  bool known = false;
  for (WorkerDeathPolicy p :
       {WorkerDeathPolicy::kFailPool, WorkerDeathPolicy::kFailTask, WorkerDeathPolicy::kRetryTask})
    if (WorkerDeathPolicyName(p) == policy) s->on_worker_death = p, known = true;
  if (!known)
    return w.Error("on_worker_death", "unknown policy '" + Excerpt(policy) + "' (valid: " +
                                          std::string(kWorkerDeathPolicyNames) + ")");
  std::string resume(ResumeName(s->resume));
  RETURN_IF_ERROR(GetString(j, "resume", &resume, w, ""));
  if (resume == "skip-existing")
    s->resume = Resume::kSkipExisting;
  else if (resume != "none")
    return w.Error("resume",
                   "unknown resume mode '" + Excerpt(resume) + "' (valid: none, skip-existing)");
  return Status::Ok();
}

// One list of anomaly kinds under "expect" (key "forbid" or "show").
Status ParseKinds(const json& e, const char* key, std::set<AnomalyKind>* out, const Where& w) {
  if (!e.contains(key)) return Status::Ok();
  const std::string where = std::string("expect.") + key;
  if (!e[key].is_array())
    return w.Error(where,
                   "must be an array of anomaly kinds (valid kinds: " + AnomalyNameList() + ")");
  for (const json& k : e[key]) {
    auto kind = k.is_string() ? AnomalyFromName(k.get<std::string>()) : std::nullopt;
    if (!kind)
      return w.Error(where, "unknown anomaly kind " + JsonExcerpt(k) +
                                " (valid kinds: " + AnomalyNameList() + ")");
    out->insert(*kind);
  }
  return Status::Ok();
}

// "forbid": guarantees, any one that appears fails the run. "show": what the
// scenario is there to demonstrate (a race a busy machine may not produce):
// reported when it did not appear, never a failure. A kind is one or the other.
Status ParseExpect(const json& e, Scenario* s, const Where& w) {
  RETURN_IF_ERROR(CheckKeys(e, {"forbid", "show"}, w, "expect"));
  RETURN_IF_ERROR(ParseKinds(e, "forbid", &s->forbid, w));
  RETURN_IF_ERROR(ParseKinds(e, "show", &s->show, w));
  for (AnomalyKind k : s->show)
    if (s->forbid.count(k))
      return w.Error("expect.show",
                     "'" + std::string(AnomalyName(k)) +
                         "' is also in expect.forbid: a kind is either a guarantee (forbid) or a "
                         "demonstration (show)");
  return Status::Ok();
}

Result<Scenario> ParseOne(const json& j, const std::string& source, size_t index) {
  Scenario s;
  s.source = source;
  Where w{source, ""};
  if (!j.is_object())
    return w.Error("", "scenario #" + std::to_string(index + 1) + " is not a JSON object");
  w.scenario = "#" + std::to_string(index + 1);
  if (j.contains("name") && j["name"].is_string() &&
      CheckScenarioName(j["name"].get<std::string>()).ok())
    w.scenario = j["name"].get<std::string>();
  RETURN_IF_ERROR(CheckKeys(
      j, std::vector<std::string>(std::begin(kScenarioKeys), std::end(kScenarioKeys)), w, ""));
  RETURN_IF_ERROR(GetString(j, "name", &s.name, w, ""));
  if (!j.contains("name")) return w.Error("", "missing required key 'name'");
  if (Status st = CheckScenarioName(s.name); !st.ok()) return w.Error("name", st.message());
  Result<std::optional<SubjectSpec>> subject =
      ParseSubjectKeys(j, w.Prefix(), ScenarioDirOf(source));
  if (!subject.ok()) return subject.status();
  s.subject = std::move(*subject);
  if (!s.subject && !j.contains("strategy"))
    return w.Error("", "missing required key 'strategy' (valid strategies: " + StrategyNameList() +
                           ") or 'subject' (a command of your own)");
  RETURN_IF_ERROR(GetString(j, "strategy", &s.strategy, w, ""));
  if (j.contains("options")) {
    const json& o = j["options"];
    if (!o.is_object()) return w.Error("options", "must be a JSON object");
    for (auto it = o.begin(); it != o.end(); ++it) {
      if (!it->is_string())
        return w.Error("options." + Excerpt(it.key()), "must be a string, got " + JsonExcerpt(*it));
      s.options[it.key()] = it->get<std::string>();
    }
  }
  long long v = s.workers;
  RETURN_IF_ERROR(GetInt(j, "workers", 1, 256, &v, w, ""));
  s.workers = static_cast<int>(v);
  if (j.contains("workload")) {
    const json& wl = j["workload"];
    RETURN_IF_ERROR(CheckKeys(wl, {"tasks", "records_per_task", "record_bytes"}, w, "workload"));
    RETURN_IF_ERROR(GetInt(wl, "tasks", 1, 1000000, &s.workload.tasks, w, "workload"));
    RETURN_IF_ERROR(
        GetInt(wl, "records_per_task", 1, 1000000, &s.workload.records_per_task, w, "workload"));
    RETURN_IF_ERROR(
        GetInt(wl, "record_bytes", 1, 16 << 20, &s.workload.record_bytes, w, "workload"));
  }
  if (j.contains("fault")) RETURN_IF_ERROR(ParseFault(j["fault"], &s.fault, w));
  // A command's default target at a moment: the whole tree (a syscall
  // trigger's is the caller, as for every subject).
  if (s.subject && j.contains("fault") && !j["fault"].contains("target") &&
      s.fault.trigger.type != TriggerType::kSyscall &&
      !FindFault(s.fault.kind)->make()->whole_run())
    s.fault.target = FaultTarget::kTree;
  v = s.trials;
  RETURN_IF_ERROR(GetInt(j, "trials", 1, 1000000, &v, w, ""));
  s.trials = static_cast<int>(v);
  long long seed = 1;
  RETURN_IF_ERROR(GetInt(j, "seed", 0, (1LL << 53), &seed, w, ""));
  s.seed = static_cast<uint64_t>(seed);
  RETURN_IF_ERROR(GetInt(j, "deadline_ms", 1, 24LL * 3600 * 1000, &s.deadline_ms, w, ""));
  if (j.contains("expect")) RETURN_IF_ERROR(ParseExpect(j["expect"], &s, w));
  RETURN_IF_ERROR(ParseRunModes(j, &s, w));
  Status st = ValidateScenario(&s);
  if (!st.ok()) return w.Error("", st.message());
  return s;
}

}  // namespace

Status ValidateScenario(Scenario* s) {
  const StrategyInfo* info = s->subject ? nullptr : FindStrategy(s->strategy);
  if (!s->subject && !info)
    return Status::Error("unknown strategy '" + Excerpt(s->strategy) +
                         "' (valid strategies: " + StrategyNameList() + ")");
  if (info) RETURN_IF_ERROR(ResolveOptions(*info, &s->options));
  if (s->workers < 1) return Status::Error("workers must be at least 1");
  if (s->trials < 1) return Status::Error("trials must be at least 1");
  if (s->deadline_ms < 1) return Status::Error("deadline_ms must be at least 1");
  if (s->workload.tasks < 1 || s->workload.records_per_task < 1 || s->workload.record_bytes < 1)
    return Status::Error("workload sizes must be at least 1");
  const FaultInfo* fault = FindFault(s->fault.kind);
  if (!fault)
    return Status::Error("unknown fault '" + s->fault.kind + "' (valid faults: " + FaultNameList() +
                         ")");
  const bool faulty = s->fault.kind != "none";
  const bool whole_run = fault->make()->whole_run();
  if (faulty && !whole_run && s->fault.trigger.type == TriggerType::kNone)
    return Status::Error("fault '" + s->fault.kind +
                         "' needs a trigger (after_records, after_ms, random, point or syscall)");
  if ((!faulty || whole_run) && s->fault.trigger.type != TriggerType::kNone)
    return Status::Error("fault '" + s->fault.kind + "' takes no trigger");
  RETURN_IF_ERROR(ResolveFaultOptions(*fault->make(), &s->fault.options));
  const bool at_syscall = faulty && s->fault.trigger.type == TriggerType::kSyscall;
  if (at_syscall)
    RETURN_IF_ERROR(CheckSyscallFault(s->fault.kind, *fault->make(), s->fault.target,
                                      s->fault.trigger.syscall.value_or(SyscallTrigger{})));
  // A command subject offers less than the pool, at other targets.
  if (s->subject) return ValidateSubjectScenario(*s, *fault->make());
  if (s->resume == Resume::kSkipExisting && info->layout != Layout::kPerTask)
    return Status::Error(
        "resume 'skip-existing' skips tasks whose output file exists: it needs a "
        "strategy with one file per task (per-task-file, atomic-rename), not '" +
        s->strategy + "'");
  if (!at_syscall && !whole_run && IsCommandTarget(s->fault.target))
    return Status::Error("fault target '" + std::string(FaultTargetName(s->fault.target)) +
                         "' is a process of a command subject's tree (the built-in pool's "
                         "targets: " +
                         std::string(kPoolTargetNames) + ")");
  if (s->fault.target == FaultTarget::kWriter && s->strategy != "queue-writer")
    return Status::Error(
        "fault target 'writer' needs a strategy with a writer process (queue-writer)");
  return CheckFaultHostable(*fault->make(), s->fault.method, s->fault.trigger.type,
                            kBuiltInPoolHost);
}

namespace {

Result<std::vector<Scenario>> ScenariosFromJson(const json& j, const std::string& source) {
  std::vector<Scenario> out;
  if (j.is_array()) {
    if (j.empty()) return Status::Error(source + ": holds an empty array: no scenario to run");
    for (size_t i = 0; i < j.size(); ++i) {
      Result<Scenario> s = ParseOne(j[i], source, i);
      if (!s.ok()) return s.status();
      out.push_back(std::move(*s));
    }
  } else {
    Result<Scenario> s = ParseOne(j, source, 0);
    if (!s.ok()) return s.status();
    out.push_back(std::move(*s));
  }
  std::set<std::string> names;
  for (const Scenario& s : out)
    if (!names.insert(s.name).second)
      return Status::Error(source + ": scenario name '" + s.name + "' is used twice");
  return out;
}

}  // namespace

Result<std::vector<Scenario>> ParseScenarios(const std::string& text, const std::string& source) {
  Result<json> j = ParseJsonText(text, source, kScenarioFileLimits);
  if (!j.ok()) return j.status();
  return ScenariosFromJson(*j, source);
}

Result<std::vector<Scenario>> LoadScenarioFile(const std::string& path, const JsonLimits& limits) {
  Result<json> j = ReadJsonFile(path, limits);
  if (!j.ok()) return j.status();
  return ScenariosFromJson(*j, path);
}

nlohmann::json ScenarioToJson(const Scenario& s) {
  json forbid = json::array(), show = json::array();
  for (AnomalyKind k : s.forbid) forbid.push_back(std::string(AnomalyName(k)));
  for (AnomalyKind k : s.show) show.push_back(std::string(AnomalyName(k)));
  json j = {{"name", s.name},
            {"strategy", s.strategy},
            {"options", s.options},
            {"workers", s.workers},
            {"workload",
             {{"tasks", s.workload.tasks},
              {"records_per_task", s.workload.records_per_task},
              {"record_bytes", s.workload.record_bytes}}},
            {"fault", FaultToJson(s.fault)},
            {"trials", s.trials},
            {"seed", s.seed},
            {"deadline_ms", s.deadline_ms},
            {"start_method", std::string(StartMethodName(s.start_method))},
            {"on_worker_death", std::string(WorkerDeathPolicyName(s.on_worker_death))},
            {"resume", std::string(ResumeName(s.resume))},
            {"expect", {{"forbid", forbid}, {"show", show}}}};
  if (s.subject) {
    for (const char* pool_only :
         {"strategy", "options", "start_method", "on_worker_death", "resume"})
      j.erase(pool_only);
    SubjectKeysToJson(*s.subject, &j);
  }
  return j;
}

}  // namespace crashbench
