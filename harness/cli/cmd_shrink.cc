// crashbench shrink RESULTS --trial SCENARIO:INDEX: the smallest workload
// (tasks, records per task, workers, record size) that still shows the
// trial's anomaly kind, printed as a scenario file `crashbench run` loads.
//
// The search is greedy, one dimension at a time, as delta debugging shrinks
// an input: halve while the kind still appears, then try once halfway between
// the last size that showed it and the half that did not; repeat the passes
// until one changes nothing. A candidate "shows the kind" when any of its
// --attempts trials does. The trigger keeps its kind: a point occurrence or a
// record count is scaled with the number of records, so the fault lands at the
// same relative place (a command's K-th matching call too, unless it is
// content-addressed); random and time triggers are kept as they are.
// Bounded by --max-runs candidates and --max-seconds.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "harness/base/sys.h"
#include "harness/cli/commands.h"
#include "harness/run/runner.h"
#include "harness/run/trial_ref.h"
#include "results/load_results.h"
#include "results/results.h"

namespace crashbench {
namespace {

struct Dims {
  long long tasks, records_per_task, workers, record_bytes;
  std::array<long long*, 4> Fields() {
    return {&tasks, &records_per_task, &workers, &record_bytes};
  }
  std::string Describe() const {
    return "tasks=" + std::to_string(tasks) +
           " records_per_task=" + std::to_string(records_per_task) +
           " workers=" + std::to_string(workers) + " record_bytes=" + std::to_string(record_bytes);
  }
};
constexpr const char* kDimNames[] = {"tasks", "records_per_task", "workers", "record_bytes"};

Dims DimsOf(const Scenario& s) {
  return {s.workload.tasks, s.workload.records_per_task, s.workers, s.workload.record_bytes};
}

// The original scenario at these sizes, its trigger scaled to the records.
Scenario Candidate(const Scenario& original, const Dims& d, int attempts) {
  Scenario c = original;
  c.workload = {d.tasks, d.records_per_task, d.record_bytes};
  c.workers = static_cast<int>(d.workers);
  c.trials = attempts;
  const double scale =
      static_cast<double>(d.tasks * d.records_per_task) /
      static_cast<double>(original.workload.tasks * original.workload.records_per_task);
  auto scaled = [&](long long v) {
    return std::max(1LL, static_cast<long long>(std::ceil(v * scale)));
  };
  TriggerSpec& t = c.fault.trigger;
  if (t.type == TriggerType::kPoint && t.occurrence) t.occurrence = scaled(*t.occurrence);
  if (t.type == TriggerType::kAfterRecords) t.after_records = scaled(t.after_records);
  // A command's K-th matching call; a content-addressed one ("contains")
  // names its record and needs no scaling.
  if (t.type == TriggerType::kSyscall && t.syscall && t.syscall->occurrence &&
      t.syscall->contains.empty())
    t.syscall->occurrence = scaled(*t.syscall->occurrence);
  return c;
}

struct Shrinker {
  const ShrinkCommand& cmd;
  const Scenario& original;
  AnomalyKind kind;
  long long deadline_us;
  int runs = 0;
  bool interrupted = false;

  bool Budget() const { return !interrupted && runs < cmd.max_runs && NowMicros() < deadline_us; }

  // Runs the candidate; true when any trial shows the kind.
  bool Shows(const Dims& d) {
    ++runs;
    Scenario c = Candidate(original, d, cmd.attempts);
    RunOptions opt;
    opt.jobs = 2;
    opt.scratch_parent = cmd.scratch_parent;
    opt.self_exe = SelfExecutable();
    opt.measure_limits = false;
    RunOutcome out = RunScenarios({c}, opt);
    interrupted |= out.interrupted;
    int hits = 0;
    const ScenarioResult& sr = out.scenarios.front();
    for (const TrialResult& t : sr.trials) hits += t.count(kind) > 0;
    if (!cmd.no_progress) {
      std::fprintf(stderr, "shrink [%d/%d] %s: %s in %d/%zu trials%s%s\n", runs, cmd.max_runs,
                   d.Describe().c_str(), std::string(AnomalyName(kind)).c_str(), hits,
                   sr.trials.size(), sr.error.empty() ? "" : " (",
                   sr.error.empty() ? "" : (sr.error + ")").c_str());
    }
    return hits > 0;
  }

  // The greedy search from best: every dimension halved, then tried halfway,
  // pass after pass until one changes nothing or the budget is spent.
  Dims Shrink(Dims best) {
    for (bool changed = true; changed && Budget();) {
      changed = false;
      for (size_t dim = 0; dim < 4 && Budget(); ++dim) {
        while (*best.Fields()[dim] > 1 && Budget()) {
          const long long now = *best.Fields()[dim];
          Dims half = best;
          *half.Fields()[dim] = now / 2;
          if (Shows(half)) {
            best = half;
            changed = true;
            continue;
          }
          const long long mid = (now / 2 + now) / 2;
          if (mid <= now / 2 || mid >= now || !Budget()) break;
          Dims between = best;
          *between.Fields()[dim] = mid;
          if (!Shows(between)) break;
          best = between;
          changed = true;
        }
      }
    }
    return best;
  }
};

// The anomaly kind to keep: --kind, or the trial's first violation. Says why
// on stderr and returns nothing when there is none (a usage error).
std::optional<AnomalyKind> KindToKeep(const ShrinkCommand& cmd, const TrialRef& ref) {
  std::optional<AnomalyKind> kind;
  const AnomalyCounts counts = ref.trial.value("anomalies", AnomalyCounts{});
  if (!cmd.kind.empty()) {
    kind = AnomalyFromName(cmd.kind);
    if (!kind) {
      std::cerr << "crashbench: --kind " << cmd.kind
                << ": unknown anomaly kind (valid kinds: " << AnomalyNameList() << ")\n";
      return std::nullopt;
    }
  } else {
    for (AnomalyKind k : kAllAnomalyKinds) {
      auto it = counts.find(std::string(AnomalyName(k)));
      if (!kind && IsViolation(k) && it != counts.end() && it->second > 0) kind = k;
    }
    if (!kind) {
      std::cerr << "crashbench: trial " << cmd.trial
                << " shows no violation, so there is nothing to shrink "
                << "(name a kind with --kind, e.g. --kind lost-unacked)\n";
      return std::nullopt;
    }
  }
  return kind;
}

// One line: why the search stopped, and every dimension from -> to.
void PrintShrunk(const Shrinker& sh, Dims best) {
  const ShrinkCommand& cmd = sh.cmd;
  const char* why = sh.interrupted                  ? "interrupted"
                    : sh.runs >= cmd.max_runs       ? "--max-runs reached"
                    : NowMicros() >= sh.deadline_us ? "--max-seconds reached"
                                                    : "no dimension shrinks further";
  Dims from = DimsOf(sh.original);
  std::cerr << "shrunk after " << sh.runs << " runs (" << why << "): ";
  for (size_t dim = 0; dim < 4; ++dim)
    std::cerr << (dim ? ", " : "") << kDimNames[dim] << " " << *from.Fields()[dim] << " -> "
              << *best.Fields()[dim];
  std::cerr << "\n";
}

}  // namespace

int RunShrinkCommand(const ShrinkCommand& cmd) {
  Result<TrialRef> ref = LoadTrial(cmd.results, cmd.trial);
  if (!ref.ok()) {
    std::cerr << "crashbench: " << ref.status().message() << "\n";
    return 2;
  }
  std::optional<AnomalyKind> kind = KindToKeep(cmd, *ref);
  if (!kind) return 2;
  InstallInterruptHandlers();
  const Scenario& original = ref->scenario;
  Shrinker sh{cmd, original, *kind, NowMicros() + cmd.max_seconds * 1000000LL};
  const std::string kind_name(AnomalyName(*kind));
  std::cerr << "shrinking " << original.name << " (" << DimsOf(original).Describe() << ") while "
            << kind_name << " still appears in one of " << cmd.attempts << " trials; at most "
            << cmd.max_runs << " runs, " << cmd.max_seconds << " s\n";
  Dims best = DimsOf(original);
  if (!sh.Shows(best)) {
    std::cerr << "crashbench: the original workload showed no " << kind_name << " in "
              << cmd.attempts
              << " trials, so there is nothing to shrink from (try more --attempts)\n";
    return sh.interrupted ? 3 : 1;
  }
  best = sh.Shrink(best);
  PrintShrunk(sh, best);
  Scenario result = Candidate(original, best, cmd.attempts);
  result.name = original.name + "-shrunk";
  result.forbid.insert(
      *kind);  // so that `crashbench run` of it exits 1: git bisect run reads "bad"
  const std::string text = ScenarioToJson(result).dump(2) + "\n";
  if (!cmd.out.empty()) {
    if (Status st = WriteFileAtomic(cmd.out, text); !st.ok()) {
      std::cerr << "crashbench: cannot write " << cmd.out << ": " << st.message() << "\n";
      return 3;
    }
    // Absolute, like run's replay lines: the line works from any directory.
    const std::string file = ShellQuote(AbsolutePath(cmd.out));
    std::cerr << "scenario written to " << file
              << "; reproduce with: " << ShellQuote(SelfExecutable()) << " run " << file << "\n";
  }
  std::cout << text;
  return sh.interrupted ? 3 : 0;
}

}  // namespace crashbench
