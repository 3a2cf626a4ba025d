// A scenario: strategy + workload + fault + trials + expectations, as one JSON
// object (a file may hold one object or an array of them). See DESIGN.md.
//
//   Result<std::vector<Scenario>> s = LoadScenarioFile("scenarios/x.json");
//   if (!s.ok()) { print s.status().message(); exit 2; }
//
// Loading is strict: a JSON error names file, line and column; an unknown key,
// strategy, fault, target, trigger or option names the valid ones; impossible
// numbers are refused. Nothing runs until every scenario is valid.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/base/json_file.h"
#include "harness/base/status.h"
#include "harness/contract/anomaly.h"
#include "harness/inject/fault.h"
#include "harness/tap/syscall_trigger.h"
#include "scenarios/subject_spec.h"

namespace crashbench {

struct Workload {
  long long tasks = 64;
  long long records_per_task = 16;
  long long record_bytes = 256;
};

struct TriggerSpec {
  TriggerType type = TriggerType::kNone;
  long long after_records = 0;
  long long after_ms = 0;
  FaultPoint point = FaultPoint::kMidRecord;
  std::optional<long long> occurrence;    // unset: chosen from the trial's seed
  std::optional<SyscallTrigger> syscall;  // kSyscall: scenarios/syscall_trigger_spec.h
};

struct FaultSpec {
  std::string kind = "none";
  // How the fault is produced where it has more than one way
  // (Fault::methods()): "auto" takes the real one where possible.
  std::string method = "auto";
  FaultTarget target = FaultTarget::kWorker;
  TriggerSpec trigger;
  // The fault's own keys (Fault::options()), defaults filled in: power-loss's
  // "model", "states", ... Values as text ("states": "200").
  std::map<std::string, std::string> options;
};

enum class StartMethod { kFork, kSpawn };
inline constexpr StartMethod kAllStartMethods[] = {StartMethod::kFork, StartMethod::kSpawn};

// What the pool does when a worker dies hard (DESIGN.md, "Pool policies").
enum class WorkerDeathPolicy {
  kFailPool,   // every pending task fails, nothing more is dispatched (BrokenProcessPool)
  kFailTask,   // only the dead worker's task fails; a new worker takes its place
  kRetryTask,  // the task runs again on a new worker (loky, a job queue), up to kMaxAttempts
};
inline constexpr int kMaxAttempts = 3;  // first run plus two retries, as job queues default to
std::string_view WorkerDeathPolicyName(WorkerDeathPolicy p);
inline constexpr std::string_view kWorkerDeathPolicyNames = "fail-pool, fail-task, retry-task";
inline constexpr WorkerDeathPolicy kAllWorkerDeathPolicies[] = {
    WorkerDeathPolicy::kFailPool, WorkerDeathPolicy::kFailTask, WorkerDeathPolicy::kRetryTask};

// Whether the pipeline is run again after the faulty run, and how it restarts.
enum class Resume {
  kNone,
  kSkipExisting,  // rerun, skipping every task whose output file exists
};
std::string_view ResumeName(Resume r);
inline constexpr Resume kAllResumeModes[] = {Resume::kNone, Resume::kSkipExisting};
// One line each for `crashbench list`: what the mode does.
std::string_view WorkerDeathPolicyHelp(WorkerDeathPolicy p);
std::string_view ResumeHelp(Resume r);
std::string_view StartMethodHelp(StartMethod m);

struct Scenario {
  std::string name;
  std::string strategy;
  std::map<std::string, std::string> options;  // resolved: defaults filled in
  int workers = 4;
  Workload workload;
  FaultSpec fault;
  int trials = 1;
  uint64_t seed = 1;
  long long deadline_ms = 10000;
  std::set<AnomalyKind> forbid;  // guarantees: any of these in a trial fails the run
  std::set<AnomalyKind> show;    // demonstrations: reported when absent, never a failure
  StartMethod start_method = StartMethod::kFork;
  WorkerDeathPolicy on_worker_death = WorkerDeathPolicy::kFailPool;
  Resume resume = Resume::kNone;
  // A command in place of a built-in strategy (then `strategy` is "" and the
  // pool's own keys keep their defaults): scenarios/subject_spec.h.
  std::optional<SubjectSpec> subject;
  std::string source;  // the file it came from; "" when built in
};

// What a scenario file may hold: small by nature, so bounds that refuse a
// wrong file (a log, a results file) or a runaway value at once.
inline constexpr JsonLimits kScenarioFileLimits{
    .max_bytes = 16 << 20, .max_depth = 64, .max_string_bytes = 4096};
inline constexpr size_t kMaxScenarioNameChars = 200;

// The top-level keys a scenario object may hold, in the order errors list them.
inline constexpr const char* kScenarioKeys[] = {
    "name",   "strategy", "options",     "workers", "workload",     "fault",
    "trials", "seed",     "deadline_ms", "expect",  "start_method", "on_worker_death",
    "resume", "subject",  "acks",        "restart", "verify"};

// Parses one file's text. `source` names the file in every error message.
Result<std::vector<Scenario>> ParseScenarios(const std::string& text, const std::string& source);
// Reads the file through ReadJsonFile: a device, a FIFO or an oversize file is refused.
Result<std::vector<Scenario>> LoadScenarioFile(const std::string& path,
                                               const JsonLimits& limits = kScenarioFileLimits);

// A name is a label in tables and reports and a key on the command line
// (--scenario, --trial NAME:I): one line of printable text, 1 to
// kMaxScenarioNameChars characters. The error says which rule it breaks.
Status CheckScenarioName(const std::string& name);

// Range and consistency checks (also applied by the parser); for scenarios
// built in code or changed by command-line overrides. A fault whose needs the
// scenario's subject cannot host (CheckFaultHostable) is refused here.
Status ValidateScenario(Scenario* scenario);

nlohmann::json ScenarioToJson(const Scenario& s);
// scenarios/fault_spec.cc: the fault object as results keep it and a scenario
// file takes it; a whole-run fault has no target and no trigger, its options beside kind.
nlohmann::json FaultToJson(const FaultSpec& f);
// The keys of a fault object beside "kind", "method", "target", "trigger":
// the fault's own options (Fault::options()), checked against their values;
// defaults filled in. `where` prefixes each error ("x.json: scenario 'a'").
Status ParseFaultOptions(const nlohmann::json& j, const Fault& fault, const std::string& where,
                         std::map<std::string, std::string>* out);
// Checks options against fault.options() and fills in the defaults (for
// scenarios built in code, and by ParseFaultOptions).
Status ResolveFaultOptions(const Fault& fault, std::map<std::string, std::string>* options);
// A whole-run fault (Fault::whole_run()) refuses a target or a trigger.
Status CheckWholeRunFault(const nlohmann::json& j, const Fault& fault, const std::string& where);
// "none", "sigkill@mid-record", "sigkill@random", "sigkill@after-100-records",
// "sigkill@write#3"
std::string FaultLabel(const FaultSpec& f);
std::string_view StartMethodName(StartMethod m);

}  // namespace crashbench
