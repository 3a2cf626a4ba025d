#include "results/gate.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "results/costs.h"
#include "results/results.h"
#include "results/stats.h"

namespace crashbench {
namespace {

using nlohmann::json;

std::string Percent(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * v);
  return buf;
}

std::string PValue(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, p < 0.001 ? "%.1e" : "%.3f", p);
  return buf;
}

std::string Str(const json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// The member, or null (iterates as an empty range) when absent: never a copy,
// so references into it stay valid.
const json& Field(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

long long Int(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<long long>() : 0;
}

// The trials count of a scenario and how many had a violation.
std::pair<long long, long long> ViolationCounts(const json& scenario) {
  const json& summary = Field(scenario, "summary");
  long long trials = Int(summary, "trials"), bad = Int(summary, "trials_with_violations");
  if (trials == 0 && scenario.contains("trials")) {
    trials = static_cast<long long>(scenario["trials"].size());
    for (const json& t : scenario["trials"]) bad += Int(t, "violations") > 0;
  }
  return {bad, trials};
}

// The scenario's forbidden kinds that appear in its trials, with the trials
// each appeared in, and the first trial that shows any of them.
struct ForbiddenSeen {
  std::map<std::string, int> trials_by_kind;
  const json* first_trial = nullptr;
};
ForbiddenSeen FindForbidden(const json& scenario) {
  ForbiddenSeen seen;
  std::vector<std::string> forbid;
  for (const json& k : Field(Field(scenario, "expect"), "forbid"))
    if (k.is_string()) forbid.push_back(k.get<std::string>());
  for (const json& t : Field(scenario, "trials")) {
    const json& counts = Field(t, "anomalies");
    for (const std::string& k : forbid) {
      if (Int(counts, k.c_str()) > 0) {
        seen.trials_by_kind[k]++;
        if (!seen.first_trial) seen.first_trial = &t;
      }
    }
  }
  // A results file whose trials were trimmed still says what it saw.
  const json& summary_seen = Field(Field(scenario, "summary"), "forbidden_seen");
  if (seen.trials_by_kind.empty() && summary_seen.is_object())
    for (const auto& [k, n] : summary_seen.items())
      if (n.is_number() && n.get<int>() > 0) seen.trials_by_kind[k] = n.get<int>();
  return seen;
}

std::string Tag(Verdict v) {
  switch (v) {
    case Verdict::kBad:
      return "FAIL";
    case Verdict::kInconclusive:
      return "INCONCLUSIVE";
    case Verdict::kHarness:
      return "HARNESS";
    case Verdict::kNote:
      return "note";
    case Verdict::kOk:
      return "ok";
  }
  return "?";
}

void Add(GateReport* report, Verdict v, const std::string& scenario, const std::string& message) {
  report->findings.push_back({v, scenario, message});
}

// Findings about the whole current run, and why timing is not compared (""
// when it is): the baseline comes from another kind of machine.
std::string AddRunFindings(const json& baseline, const json& current, const GateOptions& options,
                           GateReport* report) {
  if (Field(current, "interrupted") == true)
    Add(report, Verdict::kHarness, "",
        "the current run was interrupted: only the trials that finished are judged");

  const json& base_ctx = Field(baseline, "context");
  const json& cur_ctx = Field(current, "context");
  const std::string context_diff = ContextDifference(base_ctx, cur_ctx);
  if (!context_diff.empty())
    Add(report, Verdict::kInconclusive, "",
        "timing not compared: the baseline comes from another kind of machine (" + context_diff +
            "); integrity is still compared. Timing is honest only on one machine: refresh the "
            "baseline here (make baseline) or use crashbench compare");

  if (!options.compare_timing)
    Add(report, Verdict::kNote, "", "timing not compared (--no-timing): integrity only");
  return context_diff;
}

// Findings about the current run's scenario alone: it did not run, it hit
// harness errors, a forbidden anomaly appeared.
void AddScenarioFindings(const json& s, const std::string& name, const std::string& replay_command,
                         GateReport* report) {
  const json& summary = Field(s, "summary");
  if (summary.is_object() && summary.contains("error"))
    Add(report, Verdict::kHarness, name, "the scenario did not run: " + Str(summary, "error"));
  if (long long errors = Int(summary, "harness_errors"); errors > 0)
    Add(report, Verdict::kHarness, name, std::to_string(errors) + " trials hit a harness error");

  // A forbidden anomaly appeared.
  ForbiddenSeen seen = FindForbidden(s);
  if (!seen.trials_by_kind.empty()) {
    const long long trials = ViolationCounts(s).second;
    const std::string what =
        Str(s, "strategy").empty() ? "a command subject" : "strategy " + Str(s, "strategy");
    std::string msg =
        "expectation failed (" + what + ", fault " + Str(s, "fault_label") + "): forbidden";
    bool first = true;
    for (const auto& [kind, n] : seen.trials_by_kind) {
      msg += std::string(first ? " " : ", ") + kind + " in " + std::to_string(n) + " of " +
             std::to_string(trials) + " trials";
      first = false;
    }
    if (seen.first_trial)
      msg += "\n      first in trial " + Str(*seen.first_trial, "index") + ":" +
             TrialReplayLines(*seen.first_trial, name, replay_command);
    Add(report, Verdict::kBad, name, msg);
  }
}

// The violation rate rose beyond what chance explains.
void AddRateFinding(const json& s, const json& b, const std::string& name,
                    const GateOptions& options, GateReport* report) {
  const auto [cur_bad, cur_trials] = ViolationCounts(s);
  const auto [base_bad, base_trials] = ViolationCounts(b);
  if (cur_trials > 0 && base_trials > 0 && cur_bad * base_trials > base_bad * cur_trials) {
    const double p = FisherExactGreater(cur_bad, cur_trials, base_bad, base_trials);
    if (p < options.alpha)
      Add(report, Verdict::kBad, name,
          "violation rate rose from " + std::to_string(base_bad) + "/" +
              std::to_string(base_trials) + " to " + std::to_string(cur_bad) + "/" +
              std::to_string(cur_trials) + " trials (Fisher exact, one-sided p=" + PValue(p) + ")");
  }
}

// The fault-free throughput regressed, or may have.
void AddCostFinding(const json& s, const json& b, const std::string& name,
                    const GateOptions& options, GateReport* report) {
  ++report->timing_compared;
  CostDecision d =
      DecideCost(ThroughputSamples(b), ThroughputSamples(s), CostThreshold(s, options), options);
  if (d.verdict == Verdict::kBad) {
    Add(report, Verdict::kBad, name, "cost regressed: " + d.Explain());
  } else if (d.verdict == Verdict::kInconclusive) {
    std::string why = static_cast<int>(std::min(d.n_base, d.n_cur)) < options.min_samples
                          ? "too few fault-free trials (" + std::to_string(d.n_base) +
                                " baseline, " + std::to_string(d.n_cur) + " current; " +
                                std::to_string(options.min_samples) + " a side needed)"
                          : "looks slower but the samples are too noisy to tell";
    Add(report, Verdict::kInconclusive, name, "cost " + why + ": " + d.Explain());
  }
}

// Scenarios only one of the two files holds.
void AddUnmatchedNotes(int unmatched, const std::map<std::string, const json*>& base_by_key,
                       GateReport* report) {
  if (unmatched > 0)
    Add(report, Verdict::kNote, "",
        std::to_string(unmatched) +
            " scenarios of the current run have no match in the baseline "
            "(matched by name, strategy, options, workers, workload, fault, pool policy, resume "
            "and "
            "start method): integrity judged, "
            "no comparison");
  if (!base_by_key.empty())
    Add(report, Verdict::kNote, "",
        std::to_string(base_by_key.size()) +
            " baseline scenarios are not in the current run, e.g. '" +
            Str(*base_by_key.begin()->second, "name") + "'");
}

}  // namespace

std::vector<double> ThroughputSamples(const json& scenario) {
  std::vector<double> samples;
  if (IsFault(scenario)) return samples;
  const long long per_task = Int(Field(scenario, "workload"), "records_per_task");
  for (const json& t : Field(scenario, "trials")) {
    if (t.contains("error") || !t.contains("duration_ms") || !t["duration_ms"].is_number())
      continue;
    // A trial that hung measured its deadline, not the strategy.
    if (t.contains("anomalies") && t["anomalies"].is_object() && t["anomalies"].contains("hang"))
      continue;
    const double ms = t["duration_ms"].get<double>();
    if (ms <= 0) continue;
    const double records = t.contains("records_visible")
                               ? static_cast<double>(Int(t, "records_visible"))
                               : static_cast<double>(Int(t, "acked_tasks") * per_task);
    if (records > 0) samples.push_back(records / (ms / 1000.0));
  }
  return samples;
}

bool IsFault(const json& scenario) {
  const json& kind = Field(Field(scenario, "fault"), "kind");
  return kind.is_string() && kind.get<std::string>() != "none";
}

double CostThreshold(const json& scenario, const GateOptions& options) {
  const json& fsync = Field(Field(scenario, "options"), "fsync");
  return !fsync.is_string() || fsync.get<std::string>() == "none" ? options.cpu_threshold
                                                                  : options.fsync_threshold;
}

std::string ScenarioKey(const json& s) {
  // What a scenario means: a pool policy, a restart or a start method changes
  // the findings as much as an option does (absent in older files: defaults).
  auto or_default = [&](const char* key, const char* fallback) {
    return s.contains(key) && s[key].is_string() ? s[key].get<std::string>()
                                                 : std::string(fallback);
  };
  return Str(s, "name") + "|" + Str(s, "strategy") + "|" + Field(s, "options").dump() + "|" +
         Str(s, "workers") + "|" + Field(s, "workload").dump() + "|" + Field(s, "fault").dump() +
         "|" + or_default("on_worker_death", "fail-pool") + "|" + or_default("resume", "none") +
         "|" + or_default("start_method", "fork");
}

std::string ContextDifference(const json& base, const json& cur) {
  // What decides the speed of the same code: the processor, how many of it,
  // the kernel (syscall and fsync paths), the architecture and the filesystem
  // the trials wrote to. Host name and date do not: CI runners change names.
  std::string out;
  for (const char* key : {"cpu", "num_cpus", "machine", "kernel", "fs_type"}) {
    const std::string b = Str(base, key), c = Str(cur, key);
    if (b == c) continue;
    if (!out.empty()) out += "; ";
    out += std::string(key) + " '" + c + "' here, '" + b + "' in the baseline";
  }
  return out;
}

// Each number says what it is: the medians and their ratio describe the
// samples; the Hodges-Lehmann estimate (the median of all pairwise log-ratios,
// as a ratio current/baseline) and its interval are what the verdict uses.
// The two ratios differ whenever the samples are skewed.
std::string CostDecision::Explain() const {
  std::ostringstream out;
  out << "records/s medians " << HumanNumber(median_base) << " -> " << HumanNumber(median_cur);
  if (n_base < 1 || n_cur < 1) return out.str() + " (no samples on one side)";
  auto fixed3 = [](double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", v);
    return std::string(text);
  };
  out << " (ratio of medians "
      << (median_base > 0 ? fixed3(median_cur / median_base) : std::string("undefined"))
      << "; Hodges-Lehmann shift estimate current/baseline " << fixed3(1 - slowdown)
      << ", slowdown " << Percent(slowdown);
  if (interval_bounded)
    out << ", its 95% interval " << Percent(slowdown_lo) << " to " << Percent(slowdown_hi);
  else
    out << ", no 95% interval from so few samples";
  out << "; Mann-Whitney p=" << PValue(p) << ", " << n_base << " vs " << n_cur
      << " samples, threshold " << Percent(threshold) << ")";
  return out.str();
}

CostDecision DecideCost(const std::vector<double>& base, const std::vector<double>& cur,
                        double threshold, const GateOptions& options) {
  CostDecision d;
  d.threshold = threshold;
  d.n_base = base.size();
  d.n_cur = cur.size();
  d.median_base = Median(base);
  d.median_cur = Median(cur);
  if (base.empty() || cur.empty()) {
    d.verdict = Verdict::kInconclusive;
    return d;
  }
  // On log values the shift is the log of the ratio current/baseline, so the
  // interval of the shift is an interval of the ratio.
  std::vector<double> lb, lc;
  for (double v : base) lb.push_back(std::log(v));
  for (double v : cur) lc.push_back(std::log(v));
  d.p = MannWhitneyLess(lc, lb).p;
  ShiftInterval shift = HodgesLehmannShift(lc, lb, 0.95);
  d.slowdown = 1 - std::exp(shift.estimate);
  d.slowdown_lo = 1 - std::exp(shift.hi);
  d.slowdown_hi = 1 - std::exp(shift.lo);
  d.interval_bounded = shift.bounded;
  const bool enough = static_cast<int>(base.size()) >= options.min_samples &&
                      static_cast<int>(cur.size()) >= options.min_samples;
  if (!enough) {
    d.verdict = Verdict::kInconclusive;
  } else if (d.p < options.alpha && shift.bounded && d.slowdown_lo > threshold &&
             d.median_cur < d.median_base) {
    d.verdict = Verdict::kBad;
  } else if (d.slowdown > threshold) {
    d.verdict = Verdict::kInconclusive;  // looks slower, but the samples cannot tell
  }
  return d;
}

GateReport RunGate(const json& baseline, const json& current, const GateOptions& options) {
  GateReport report;
  std::map<std::string, const json*> base_by_key;
  for (const json& s : baseline["scenarios"]) base_by_key[ScenarioKey(s)] = &s;
  const std::string context_diff = AddRunFindings(baseline, current, options, &report);

  int unmatched = 0;
  for (const json& s : current["scenarios"]) {
    const std::string name = s["name"].get<std::string>();
    ++report.integrity_compared;
    AddScenarioFindings(s, name, options.replay_command, &report);

    auto match = base_by_key.find(ScenarioKey(s));
    if (match == base_by_key.end()) {
      ++unmatched;
      continue;
    }
    const json& b = *match->second;
    base_by_key.erase(match);

    for (const std::string& message : NewViolationKinds(options.replay_command, s, b))
      Add(&report, Verdict::kBad, name, message);
    AddRateFinding(s, b, name, options, &report);
    if (!context_diff.empty() || !options.compare_timing || IsFault(s)) continue;
    AddCostFinding(s, b, name, options, &report);
  }
  AddUnmatchedNotes(unmatched, base_by_key, &report);
  return report;
}

std::string GateReport::Render() const {
  std::ostringstream out;
  int bad = 0, inconclusive = 0, harness = 0;
  for (Verdict v : {Verdict::kBad, Verdict::kHarness, Verdict::kInconclusive, Verdict::kNote}) {
    for (const Finding& f : findings) {
      if (f.verdict != v) continue;
      bad += v == Verdict::kBad;
      inconclusive += v == Verdict::kInconclusive;
      harness += v == Verdict::kHarness;
      out << Tag(v) << "  " << (f.scenario.empty() ? "" : f.scenario + ": ") << f.message << "\n";
    }
  }
  out << "gate: " << bad << " failed, " << harness << " harness, " << inconclusive
      << " inconclusive; integrity judged for " << integrity_compared << " scenarios, cost for "
      << timing_compared << " fault-free pairs\n";
  return out.str();
}

int GateReport::ExitCode(bool strict) const {
  bool bad = false, harness = false, inconclusive = false;
  for (const Finding& f : findings) {
    bad |= f.verdict == Verdict::kBad;
    harness |= f.verdict == Verdict::kHarness;
    inconclusive |= f.verdict == Verdict::kInconclusive;
  }
  if (bad) return 1;
  if (harness || (strict && inconclusive)) return 3;
  return 0;
}

}  // namespace crashbench
