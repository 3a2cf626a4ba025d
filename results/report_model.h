// What every report reads from a results file (results/SCHEMA.md), gathered
// once: the strategy x fault grid the console table shows, each scenario's
// verdict, its costs, and the trials that failed its expectation with their
// replay commands. The reports (summary.md, junit.xml, report.html,
// bench.json, GitHub annotations) are views of this model.
//
//   Result<nlohmann::json> doc = LoadResultsForReport("out/results.json");
//   ReportModel m = BuildReportModel(*doc);
//   for (const ScenarioView& s : m.scenarios) if (s.failed()) ...
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "harness/base/status.h"
#include "results/costs.h"
#include "results/verdict.h"

namespace crashbench {

// A trial that broke its scenario's expectation (a forbidden anomaly) or hit a
// harness error.
struct FailingTrial {
  long long index = 0;
  std::string forbidden;  // "torn 1, partial-visible 2": the forbidden kinds seen
  std::string others;     // the other anomaly counts, same form
  std::string error;      // harness error, "" when none
  std::string replay;     // the command that reruns it
  nlohmann::json details = nlohmann::json::array();  // [{kind, file, line, offset, excerpt, ...}]
};

struct ScenarioView {
  std::string name, strategy, fault_label, source;
  std::string row, col;     // where it sits in the strategy x fault grid
  std::string target;       // fault target when not one worker ("writer"), else ""
  std::string expectation;  // "held" | "failed" | "not-run"
  std::string error;        // scenario-level harness or input error
  long long trials = 0, with_violations = 0, harness_errors = 0;
  double duration_s = 0;                            // sum of trial durations
  std::vector<std::string> worst_kinds;             // violation kinds, most trials first
  std::map<std::string, long long> forbidden_seen;  // kind -> trials it appeared in
  std::vector<std::string> not_shown;          // kinds of expect.show that appeared in no trial
  bool has_expectations = true;                // expect.forbid or expect.show is not empty
  std::map<std::string, long long> anomalies;  // kind -> total count
  nlohmann::json costs;                        // null when not measured
  nlohmann::json workload;
  int workers = 0;
  std::vector<FailingTrial> failing;  // the first kMaxFailingTrialsKept
  long long failing_total = 0;

  bool failed() const { return expectation == "failed"; }
  bool has_harness_error() const { return harness_errors > 0 || !error.empty(); }
  // The console table's cell: "3/5 torn,partial-visible (writer) !"; '?' for
  // a demonstration not shown.
  std::string Cell() const;
  double ViolationRate() const {
    return trials ? static_cast<double>(with_violations) / trials : 0;
  }
};

inline constexpr size_t kMaxFailingTrialsKept = 20;

struct ReportModel {
  nlohmann::json tool, context;
  bool interrupted = false;
  std::vector<ScenarioView> scenarios;
  std::vector<std::string> rows, cols;
  std::map<std::pair<std::string, std::string>, size_t> grid;  // (row, col) -> scenario index

  const ScenarioView* At(const std::string& row, const std::string& col) const;
  long long FailedScenarios() const;
  long long HarnessErrorScenarios() const;
  VerdictCounts Verdicts() const;  // for VerdictHeadline
};

// Reads a results file for reporting. Memory stays small however many trials
// the file holds: each trial's "processes" are dropped and its "details" are
// kept only for the first kMaxFailingTrialsKept trials of a scenario that broke
// its expectation or hit an error. The file is checked against the schema
// as every command checks it (results/load_results.h, LoadResultsFile).
Result<nlohmann::json> LoadResultsForReport(const std::string& path);

ReportModel BuildReportModel(const nlohmann::json& results);

// XML 1.0 (and HTML) text and attribute values: & < > " ' as entities;
// control characters XML cannot carry become a visible "\xNN"; newlines and
// tabs in attributes become character references.
std::string XmlEscape(const std::string& s, bool attribute = false);

// j[key] when j is an object holding key, else null (which iterates as empty):
// a reference, never a copy, so it is safe and cheap in a range-for.
const nlohmann::json& Member(const nlohmann::json& j, const std::string& key);

// Number formatting shared by the reports (rates: HumanNumber in costs.h).
std::string Fixed(double v, int digits);

// One anomaly detail of results.json as a line (and its excerpt on the next):
// "torn records.jsonl:3 @120 task 1 seq 2  record cut short".
std::string DetailLine(const nlohmann::json& d, const std::string& indent);

}  // namespace crashbench
