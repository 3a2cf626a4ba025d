// crashbench replay RESULTS --trial SCENARIO:INDEX: the same trial again (same
// seed, same fault point and occurrence, same random-moment window), its
// scratch directory kept, and the bytes around every violation dumped from it.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "harness/base/sys.h"
#include "harness/cli/commands.h"
#include "harness/cli/replay_dump.h"
#include "harness/run/runner.h"
#include "harness/run/trial_ref.h"
#include "results/load_results.h"
#include "results/results.h"

namespace crashbench {
namespace {

// Violations dumped at most, per kind and in all: a replay is read by a person.
constexpr int kMaxDumpsPerKind = 3;
constexpr int kMaxDumps = 12;

std::string Counts(const AnomalyCounts& counts) {
  std::string s;
  for (const auto& [k, n] : counts) (s += s.empty() ? "" : ", ") += k + " " + std::to_string(n);
  return s.empty() ? "none" : s;
}

std::set<std::string> ViolationKinds(const AnomalyCounts& counts) {
  std::set<std::string> kinds;
  for (const auto& [k, n] : counts)
    if (auto kind = AnomalyFromName(k); kind && IsViolation(*kind) && n > 0) kinds.insert(k);
  return kinds;
}

// Where the fault fired, less what varies from run to run (pids, the moment):
// the point and its occurrence, the record count, the role, the fault and its
// method. "never" when it did not fire.
std::string FiringPlace(const nlohmann::json& fired) {
  if (!fired.is_object()) return "never";
  nlohmann::json place = nlohmann::json::object();
  for (const char* key : {"fault", "method", "point", "occurrence", "role", "after_records"})
    if (fired.contains(key)) place[key] = fired[key];
  return place.dump();
}

// The trial's verdict on its scenario's expectations: the guarantees it broke
// (forbidden kinds seen) and the demonstrations it showed.
std::string Verdict(const Scenario& s, const AnomalyCounts& counts) {
  std::string broke, showed;
  for (const std::string& k : ViolationKinds(counts)) {
    const AnomalyKind kind = *AnomalyFromName(k);
    if (s.forbid.count(kind)) (broke += broke.empty() ? "" : ", ") += k;
    if (s.show.count(kind)) (showed += showed.empty() ? "" : ", ") += k;
  }
  return "guarantees " + (broke.empty() ? std::string("held") : "broken: " + broke) +
         (s.show.empty() ? "" : "; shown: " + (showed.empty() ? std::string("none") : showed));
}

// "+interleaved -torn": the violation kinds only the replay showed, only the original.
std::string KindsDiff(const AnomalyCounts& original, const AnomalyCounts& replay) {
  const std::set<std::string> a = ViolationKinds(original), b = ViolationKinds(replay);
  std::string diff;
  for (const std::string& k : b)
    if (!a.count(k)) (diff += diff.empty() ? "+" : " +") += k;
  for (const std::string& k : a)
    if (!b.count(k)) (diff += diff.empty() ? "-" : " -") += k;
  return diff;
}

// Processes of the original's first run: more than one, and what each had
// done when the fault fired was up to the kernel's scheduler.
int ProcessCount(const nlohmann::json& trial) {
  int n = 0;
  for (const nlohmann::json& p : trial.value("processes", nlohmann::json::array()))
    n += p.value("role", "").rfind("restart-", 0) != 0;
  return n;
}

// Whether the replay reproduced the trial, and how closely. Reproduced means:
// the fault fired at the same place, and the trial's verdict is the same (the
// guarantees it broke, the demonstrations it showed). With several processes
// the violation kinds no expectation names may differ (which records each had
// in flight or buffered when the fault fired is the scheduler's choice, and a
// replay repeats the seed and the firing, not the schedule): said, with the
// difference. A single process, or a scenario without expectations, must
// show the same violation kinds.
void PrintVerdict(const TrialRef& ref, const TrialResult& t, const AnomalyCounts& original) {
  const Scenario& s = ref.scenario;
  const std::string fired_then = FiringPlace(ref.trial.value("fired", nlohmann::json()));
  const std::string fired_now = FiringPlace(t.fired);
  const TriggerType trig = s.fault.trigger.type;
  const bool at_a_moment = trig == TriggerType::kRandom || trig == TriggerType::kAfterMs;
  const int processes = ProcessCount(ref.trial);
  const bool expectations = !s.forbid.empty() || !s.show.empty();
  if (!t.error.empty())
    std::cout << "  NOT reproduced: the replay failed (harness error above)\n";
  else if (!at_a_moment && fired_then != fired_now)
    std::cout << "  NOT reproduced: the fault fired elsewhere (original: " << fired_then
              << "; replay: " << fired_now << ")\n";
  else if (t.counts == original)
    std::cout << "  reproduced: the same anomaly counts\n";
  else if (ViolationKinds(t.counts) == ViolationKinds(original))
    std::cout << "  reproduced: the same violation kinds (counts differ)\n";
  else if (expectations && processes > 1 && Verdict(s, t.counts) == Verdict(s, original))
    std::cout << "  reproduced: the same verdict (" << Verdict(s, original)
              << ") with the fault at the same place; the violation kinds no expectation names "
                 "differ ("
              << KindsDiff(original, t.counts) << "): what the other " << processes - 1
              << " process" << (processes == 2 ? "" : "es")
              << " had written or buffered when the fault fired depends on how the kernel "
                 "scheduled them, which a replay does not repeat\n";
  else
    std::cout << "  NOT reproduced exactly: the violation kinds differ ("
              << KindsDiff(original, t.counts) << "; original " << Verdict(s, original)
              << ", replay " << Verdict(s, t.counts) << ")\n";
}

// The original trial's outcome beside the replay's, and whether it reproduced.
void PrintReproduction(const TrialRef& ref, const TrialResult& t) {
  const Scenario& s = ref.scenario;
  const AnomalyCounts original = ref.trial.value("anomalies", AnomalyCounts{});
  std::cout << "  original: fired " << ref.trial.value("fired", nlohmann::json()).dump() << "\n"
            << "            anomalies: " << Counts(original) << "\n"
            << "  replay:   fired " << t.fired.dump() << "\n"
            << "            anomalies: " << Counts(t.counts) << "\n";
  if (!t.error.empty()) std::cout << "  harness error: " << t.error << "\n";
  PrintVerdict(ref, t, original);
  const TriggerType trig = s.fault.trigger.type;
  if (s.fault.kind != "none" && (trig == TriggerType::kRandom || trig == TriggerType::kAfterMs))
    std::cout << "  note: this fault fires at a moment (" << t.fired.value("at_us", -1LL)
              << " us into the run), not at a byte: the replay reuses the moment, so the processes "
                 "may be "
                 "elsewhere when it comes and the damage can differ. Point and after_records "
                 "triggers fire at the same place in a replay.\n";
}

// The damage, from the kept files: one dump per (file, offset), every kind found there named.
void PrintDamage(const TrialResult& t, int context_bytes) {
  std::map<std::pair<std::string, long long>, std::vector<const Anomaly*>> places;
  std::vector<const Anomaly*> elsewhere;
  std::map<AnomalyKind, int> per_kind;
  int dumps = 0;
  for (const Anomaly& a : t.anomalies) {
    if (!IsViolation(a.kind)) continue;
    const bool has_place = !a.file.empty() && a.offset >= 0;
    auto key = std::make_pair(a.file, a.offset);
    if (has_place && !places.count(key)) {
      if (per_kind[a.kind] >= kMaxDumpsPerKind || dumps >= kMaxDumps) continue;
      ++per_kind[a.kind];
      ++dumps;
    }
    if (has_place)
      places[key].push_back(&a);
    else if (elsewhere.size() < static_cast<size_t>(kMaxDumps))
      elsewhere.push_back(&a);
  }
  if (!places.empty() || !elsewhere.empty())
    std::cout << "\ndamage (violations), from the kept files:\n";
  for (const auto& [where, anomalies] : places) {
    std::cout << "\n";
    for (const Anomaly* a : anomalies) {
      std::cout << "  " << AnomalyName(a->kind) << "  " << a->file << " @" << a->offset;
      if (a->line >= 0) std::cout << " line " << a->line;
      if (a->task >= 0) std::cout << " task " << a->task;
      if (a->seq >= 0) std::cout << " seq " << a->seq;
      if (!a->detail.empty()) std::cout << ": " << a->detail;
      std::cout << "\n";
    }
    long long torn_end = -1;
    for (const Anomaly* a : anomalies)
      if (a->kind == AnomalyKind::kTorn) torn_end = std::max(torn_end, a->end);
    std::cout << DumpAround(t.kept_dir, where.first, where.second, torn_end, context_bytes);
  }
  for (const Anomaly* a : elsewhere) {
    std::cout << "  " << AnomalyName(a->kind) << (a->file.empty() ? "" : "  " + a->file);
    if (a->task >= 0) std::cout << " task " << a->task;
    std::cout << (a->detail.empty() ? "" : ": " + a->detail) << "\n";
  }
}

}  // namespace

Result<TrialRef> LoadTrial(const std::string& results, const std::string& trial) {
  Result<nlohmann::json> doc = LoadResultsFile(results);
  if (!doc.ok()) return doc.status();
  return FindTrial(*doc, results, trial);
}

int RunReplayTrialCommand(const ReplayTrialCommand& cmd) {
  Result<TrialRef> ref = LoadTrial(cmd.results, cmd.trial);
  if (!ref.ok()) {
    std::cerr << "crashbench: " << ref.status().message() << "\n";
    return 2;
  }
  const Scenario& s = ref->scenario;
  RunOptions opt;
  opt.jobs = 1;
  opt.keep = true;
  opt.only_trial = ref->index;
  opt.random_window_us = ref->random_window_us;
  opt.syscall_matches = ref->syscall_matches;
  opt.explore = ref->explore;
  opt.scratch_parent = cmd.scratch_parent;
  opt.self_exe = SelfExecutable();
  opt.measure_limits = false;
  InstallInterruptHandlers();
  std::cout << "replaying " << s.name << " trial " << ref->index << " (seed "
            << ref->trial.value("seed", 0ULL) << ", " << FaultLabel(s.fault) << ") from "
            << cmd.results << "\n";
  RunOutcome out = RunScenarios({s}, opt);
  const ScenarioResult& sr = out.scenarios.front();
  if (!sr.error.empty() || sr.trials.empty()) {
    std::cerr << "crashbench: the replay did not run: "
              << (sr.error.empty() ? "interrupted" : sr.error) << "\n";
    if (!out.scratch_root.empty()) (void)RemoveTree(out.scratch_root);
    return sr.input_error ? 2 : 3;
  }
  const TrialResult& t = sr.trials.front();
  PrintReproduction(*ref, t);
  PrintDamage(t, cmd.context_bytes);
  std::cout << "\nscratch directory kept: " << t.kept_dir << "\n(remove it with: rm -rf "
            << out.scratch_root << ")\n";
  return RunExitCode(out);
}

}  // namespace crashbench
