// A power-loss trial (a fault that needs a recorded run, faults/power_loss.cc):
// the subject runs to completion, fault-free, under the syscall tap with
// every file operation and acknowledgement recorded in one order; the log
// must replay to the bytes on disk (else the trial is inconclusive, never
// judged); then every crash state the scenario's persistence model allows at
// every cut is rebuilt and judged in memory (harness/persist/power_loss.h).
//
// The built-in pool is recorded whole: its supervisor runs as a traced
// function (RunTappedFunction) in a child of the trial process, which is the
// tracer; its workers and writer are traced from their first call. The
// supervisor appends each acknowledgement to a watched ack file as it takes
// it (PoolConfig::ack_file), so an ack is ordered after the calls that
// committed its task. A command subject is recorded by its own tapped run.
#include <fcntl.h>

#include <algorithm>
#include <chrono>

#include "harness/base/sys.h"
#include "harness/persist/from_tap.h"
#include "harness/persist/power_loss.h"
#include "harness/run/trial_internal.h"
#include "harness/tap/observers.h"
#include "strategies/strategy.h"

namespace crashbench::trial_internal {
namespace {

constexpr long long kDefaultMaxStates = 100000;

// The scenario's fault options as the persistence layer takes them.
PowerLossOptions OptionsFor(const TrialPlan& plan) {
  const Scenario& s = *plan.scenario;
  const auto& o = s.fault.options;
  PowerLossOptions opt;
  opt.model = o.count("model") ? o.at("model") : "ext4-ordered";
  if (opt.model == "ext4-ordered" && o.count("auto_da_alloc"))
    opt.model_options["auto_da_alloc"] = o.at("auto_da_alloc");
  opt.explore.cuts =
      CutModeFromName(o.count("cuts") ? o.at("cuts") : "all").value_or(CutMode::kAll);
  long long bound = plan.max_states > 0 ? plan.max_states : kDefaultMaxStates;
  if (o.count("states") && o.at("states") != "all")
    bound = std::min(bound, std::stoll(o.at("states")));
  opt.explore.max_states = bound;
  opt.verify.layout = s.subject ? s.subject->verify.layout : FindStrategy(s.strategy)->layout;
  opt.verify.tasks = s.workload.tasks;
  opt.verify.records_per_task = s.workload.records_per_task;
  return opt;
}

// The crash states' violations as the trial's anomalies: each kind counted
// by the states that showed it, its examples as the details.
void AddFindings(const PowerLossReport& r, TrialResult* result) {
  for (const PowerLossExample& e : r.examples) {
    Anomaly a = e.anomaly;
    a.detail = "[" + e.state + "] " + a.detail;
    result->anomalies.push_back(std::move(a));
  }
  result->counts = CountAnomalies(result->anomalies);
  for (const auto& [kind, states] : r.states_with) result->counts[kind] = states;
}

}  // namespace

bool RecordsTheRun(const Fault& fault) { return fault.needs().has(FaultNeed::kRecordedRun); }

void JudgeRecordedRun(const TrialPlan& plan, const FsState& initial,
                      const std::vector<TapEvent>& events, bool skip_fsync, TrialResult* result) {
  const PowerLossOptions opt = OptionsFor(plan);
  nlohmann::json recording = {{"events", events.size()}, {"skip_fsync", skip_fsync}};
  result->fired = {{"fault", plan.scenario->fault.kind}, {"model", opt.model}};
  Result<OpLog> log = OpLogFromTap(events, initial);
  Result<FsState> on_disk = SnapshotFsState(plan.dir);
  PowerLossReport report;
  if (!on_disk.ok()) {  // a symlink, a FIFO: what the models do not know
    report.model = opt.model;
    report.inconclusive = true;
    report.inconclusive_why = "the output cannot be modelled: " + on_disk.status().message();
  } else if (log.ok()) {
    Result<PowerLossReport> r = CheckPowerLoss(*log, &*on_disk, opt);
    if (!r.ok()) {
      result->error = "power loss: " + r.status().message();
      return;
    }
    report = std::move(*r);
    recording["ops"] = log->ops.size();
  } else {
    report.model = opt.model;
    report.inconclusive = true;
    report.inconclusive_why = "the run cannot be modelled: " + log.status().message();
  }
  nlohmann::json j = PowerLossJson(report);
  j["recording"] = recording;
  j["cuts"] =
      plan.scenario->fault.options.count("cuts") ? plan.scenario->fault.options.at("cuts") : "all";
  if (report.inconclusive) {
    result->inconclusive = true;
    result->power_loss = std::move(j);
    return;
  }
  result->crash_states = j["crash_states"];
  j.erase("crash_states");
  j.erase("examples");  // they are the trial's details (AddFindings)
  result->power_loss = std::move(j);
  result->fired["states_checked"] = report.counts.checked;
  AddFindings(report, result);
}

void RunRecordedPoolTrial(const TrialPlan& plan, const RecordedBody& body, TrialResult* result) {
  const std::string side = plan.dir + ".side";
  const std::string ack_file = side + "/acks", result_file = side + "/recorded.json";
  if (Status st = MakeDirs(side); !st.ok()) {
    result->error = st.message();
    return;
  }
  Result<FsState> initial = SnapshotFsState(plan.dir);
  if (!initial.ok()) {
    result->error = initial.status().message();
    return;
  }
  TapCommand cmd;
  cmd.watch_dir = plan.dir;
  cmd.extra_files = {ack_file};
  cmd.keep_bytes = true;
  cmd.skip_fsync = true;  // the model supplies durability: recording costs less
  cmd.deadline_ms = plan.scenario->deadline_ms * 2 + 5000;  // the pool's own deadline comes first
  const std::function<int()> traced = [&] {
    TrialResult r;
    body(ack_file, &r);
    const std::string text = TrialResultToJson(r, true).dump();
    return WriteFileAtomic(result_file, text).ok() ? 0 : 1;
  };
  Recorder recorder;
  Result<TapOutcome> run = RunTappedFunction(cmd, {}, traced, recorder);
  if (!run.ok()) {
    result->error = "recording the pool: " + run.status().message();
    return;
  }
  Result<std::string> text = ReadFileToString(result_file);
  nlohmann::json j = text.ok() ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
  if (run->hang || !j.is_object()) {
    result->error = "the recorded pool " + DescribeWaitStatus(run->root_status) +
                    (run->hang ? ", a hang: " + run->hang_diagnosis : " without a result");
    return;
  }
  const int index = result->index;
  const uint64_t seed = result->seed;
  *result = TrialResultFromJson(j);
  result->index = index;
  result->seed = seed;
  if (!result->error.empty()) return;
  JudgeRecordedRun(plan, *initial, run->events, cmd.skip_fsync, result);
}

}  // namespace crashbench::trial_internal
