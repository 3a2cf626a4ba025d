// The CI gate on hand-built results files: each finding it must make, and the
// ones it must not.
#include "results/gate.h"

#include <gtest/gtest.h>

#include "tests/test_util.h"

namespace crashbench {
namespace {

using nlohmann::json;

json Context(const std::string& cpu = "Test CPU 3000") {
  return {{"cpu", cpu},
          {"num_cpus", 2},
          {"kernel", "Linux 6.1"},
          {"machine", "x86_64"},
          {"fs_type", "ext4"},
          {"host_name", "runner-1"},
          {"date", "2026-01-01T00:00:00Z"}};
}

json Results(const json& context, const std::vector<json>& scenarios) {
  return {{"schema_version", 1},
          {"context", context},
          {"interrupted", false},
          {"scenarios", scenarios}};
}

// A trial with this throughput (records/s): 1000 records in the right time.
json FastTrial(int index, double records_per_s) {
  return {{"index", index},
          {"anomalies", json::object()},
          {"violations", 0},
          {"duration_ms", 1000.0 * 1000.0 / records_per_s},
          {"records_visible", 1000},
          {"replay",
           "crashbench run s.json --scenario x --trial " + std::to_string(index) + " --keep"}};
}

json CostScenario(const std::string& fsync, const std::vector<double>& rates) {
  json trials = json::array();
  for (size_t i = 0; i < rates.size(); ++i)
    trials.push_back(FastTrial(static_cast<int>(i), rates[i]));
  return {{"name", "naive/none"},
          {"strategy", "naive"},
          {"options", {{"fsync", fsync}}},
          {"workers", 4},
          {"workload", {{"tasks", 64}, {"records_per_task", 16}, {"record_bytes", 256}}},
          {"fault", {{"kind", "none"}}},
          {"fault_label", "none"},
          {"expect", {{"forbid", json::array()}}},
          {"summary", {{"trials", rates.size()}, {"trials_with_violations", 0}}},
          {"trials", trials}};
}

// A sigkill scenario: `bad` of `trials` trials show `kind` once each.
json FaultScenario(const std::string& kind, int bad, int trials, bool forbidden) {
  json t = json::array();
  for (int i = 0; i < trials; ++i) {
    json anomalies = i < bad ? json{{kind, 1}} : json::object();
    t.push_back({{"index", i},
                 {"anomalies", anomalies},
                 {"violations", i < bad ? 1 : 0},
                 {"duration_ms", 5.0},
                 {"records_visible", 100},
                 {"replay", "crashbench run s.json --scenario ar/sigkill --trial " +
                                std::to_string(i) + " --keep"}});
  }
  return {{"name", "ar/sigkill"},
          {"strategy", "atomic-rename"},
          {"options", {{"fsync", "task"}}},
          {"workers", 4},
          {"workload", {{"tasks", 8}, {"records_per_task", 4}, {"record_bytes", 64}}},
          {"fault",
           {{"kind", "sigkill"}, {"target", "worker"}, {"trigger", {{"point", "mid-record"}}}}},
          {"fault_label", "sigkill@mid-record"},
          {"expect", {{"forbid", forbidden ? json::array({kind}) : json::array()}}},
          {"summary", {{"trials", trials}, {"trials_with_violations", bad}}},
          {"trials", t}};
}

std::vector<double> Around(double center, int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(center * (1 + 0.01 * (i - n / 2)));  // +-4%
  return v;
}

bool Has(const GateReport& r, Verdict v, const std::string& text) {
  for (const Finding& f : r.findings)
    if (f.verdict == v && (f.scenario + ": " + f.message).find(text) != std::string::npos)
      return true;
  return false;
}

TEST(Gate, CostRegressionIsFoundAndExplained) {
  json base = Results(Context(), {CostScenario("none", Around(100000, 8))});
  json cur = Results(Context(), {CostScenario("none", Around(80000, 8))});
  GateReport r = RunGate(base, cur, GateOptions{});
  EXPECT_TRUE(Has(r, Verdict::kBad, "naive/none: cost regressed: records/s medians 99.5k -> 79.6k"))
      << r.Render();
  EXPECT_TRUE(
      Has(r, Verdict::kBad, "Hodges-Lehmann shift estimate current/baseline 0.800, slowdown 20.0%"))
      << r.Render();
  EXPECT_EQ(r.ExitCode(false), 1);
  EXPECT_EQ(r.timing_compared, 1);
}

// Skewed samples: the medians' ratio is 1.1, the Hodges-Lehmann estimate (the
// median of the 64 pairwise ratios) is sqrt(0.9 * 1.3) = 1.082. Each is named.
TEST(Gate, CostExplanationNamesTheRatioOfMediansAndTheEstimateApart) {
  const std::vector<double> base(8, 1000.0);
  const std::vector<double> cur = {900, 900, 900, 900, 1300, 1300, 1300, 1300};
  const std::string text = DecideCost(base, cur, 0.05, GateOptions{}).Explain();
  EXPECT_NE(text.find("records/s medians 1.0k -> 1.1k (ratio of medians 1.100; Hodges-Lehmann "
                      "shift estimate current/baseline 1.082, slowdown -8.2%"),
            std::string::npos)
      << text;
}

TEST(Gate, NoTimingJudgesIntegrityOnly) {
  GateOptions options;
  options.compare_timing = false;
  GateReport r = RunGate(Results(Context(), {CostScenario("none", Around(100000, 8))}),
                         Results(Context(), {CostScenario("none", Around(50000, 8))}), options);
  EXPECT_EQ(r.timing_compared, 0);
  EXPECT_EQ(r.ExitCode(true), 0) << r.Render();
  EXPECT_TRUE(Has(r, Verdict::kNote, "timing not compared (--no-timing)")) << r.Render();
}

TEST(Gate, SameDistributionIsNoRegression) {
  json base = Results(Context(), {CostScenario("none", Around(100000, 8))});
  std::vector<double> shuffled = Around(100000, 8);
  std::reverse(shuffled.begin(), shuffled.end());
  json cur = Results(Context(), {CostScenario("none", shuffled)});
  GateReport r = RunGate(base, cur, GateOptions{});
  EXPECT_TRUE(r.findings.empty()) << r.Render();
  EXPECT_EQ(r.ExitCode(true), 0);
}

TEST(Gate, ASignificantSlowdownUnderTheThresholdPasses) {
  // 3% slower, every sample below every baseline sample: real, but under 5%.
  std::vector<double> base_rates, cur_rates;
  for (int i = 0; i < 8; ++i) {
    base_rates.push_back(100000 + 10 * i);
    cur_rates.push_back(97000 + 10 * i);
  }
  GateReport r = RunGate(Results(Context(), {CostScenario("none", base_rates)}),
                         Results(Context(), {CostScenario("none", cur_rates)}), GateOptions{});
  EXPECT_EQ(r.ExitCode(true), 0) << r.Render();
}

TEST(Gate, FsyncBoundConfigurationsUseTheirOwnThreshold) {
  // 8% slower with no overlap: beyond 5% (CPU-bound), within 10% (fsync-bound).
  std::vector<double> base_rates, cur_rates;
  for (int i = 0; i < 8; ++i) {
    base_rates.push_back(100000 + 10 * i);
    cur_rates.push_back(92000 + 10 * i);
  }
  GateReport cpu = RunGate(Results(Context(), {CostScenario("none", base_rates)}),
                           Results(Context(), {CostScenario("none", cur_rates)}), GateOptions{});
  EXPECT_EQ(cpu.ExitCode(false), 1) << cpu.Render();
  GateReport fsync = RunGate(Results(Context(), {CostScenario("task", base_rates)}),
                             Results(Context(), {CostScenario("task", cur_rates)}), GateOptions{});
  EXPECT_EQ(fsync.ExitCode(true), 0) << fsync.Render();
  GateOptions strict_fsync;
  strict_fsync.fsync_threshold = 0.05;
  EXPECT_EQ(RunGate(Results(Context(), {CostScenario("task", base_rates)}),
                    Results(Context(), {CostScenario("task", cur_rates)}), strict_fsync)
                .ExitCode(false),
            1);
}

TEST(Gate, TooFewSamplesAreInconclusive) {
  json base = Results(Context(), {CostScenario("none", Around(100000, 3))});
  json cur = Results(Context(), {CostScenario("none", Around(50000, 3))});
  GateReport r = RunGate(base, cur, GateOptions{});
  EXPECT_TRUE(Has(r, Verdict::kInconclusive, "too few fault-free trials (3 baseline, 3 current"))
      << r.Render();
  EXPECT_EQ(r.ExitCode(false), 0);
  EXPECT_EQ(r.ExitCode(true), 3);
}

TEST(Gate, NoisySamplesAreInconclusive) {
  // The median is 15% lower, but the samples overlap widely.
  json base = Results(Context(), {CostScenario("none", {100, 60, 140, 95, 105, 50, 150, 100})});
  json cur = Results(Context(), {CostScenario("none", {85, 140, 45, 80, 90, 150, 40, 85})});
  GateReport r = RunGate(base, cur, GateOptions{});
  EXPECT_TRUE(Has(r, Verdict::kInconclusive, "too noisy")) << r.Render();
  EXPECT_EQ(r.ExitCode(false), 0);
  EXPECT_EQ(r.ExitCode(true), 3);
}

TEST(Gate, AnotherMachineIsRefusedForTimingButIntegrityStillCounts) {
  json base = Results(Context("Old CPU"),
                      {CostScenario("none", Around(100000, 8)), FaultScenario("torn", 0, 5, true)});
  json cur = Results(Context("New CPU"),
                     {CostScenario("none", Around(50000, 8)), FaultScenario("torn", 2, 5, true)});
  GateReport r = RunGate(base, cur, GateOptions{});
  EXPECT_TRUE(Has(r, Verdict::kInconclusive, "timing not compared")) << r.Render();
  EXPECT_TRUE(Has(r, Verdict::kInconclusive, "cpu 'New CPU' here, 'Old CPU' in the baseline"))
      << r.Render();
  EXPECT_FALSE(Has(r, Verdict::kBad, "cost regressed")) << r.Render();
  EXPECT_TRUE(Has(r, Verdict::kBad, "expectation failed")) << r.Render();
  EXPECT_EQ(r.timing_compared, 0);
  EXPECT_EQ(r.ExitCode(false), 1);
}

TEST(Gate, HostNameAndDateDoNotMakeAnotherMachine) {
  json other = Context();
  other["host_name"] = "runner-2";
  other["date"] = "2027-01-01T00:00:00Z";
  EXPECT_EQ(ContextDifference(Context(), other), "");
  other["num_cpus"] = 4;
  EXPECT_NE(ContextDifference(Context(), other).find("num_cpus"), std::string::npos);
}

TEST(Gate, ExpectationFailureNamesKindTrialsAndReplay) {
  json base = Results(Context(), {FaultScenario("torn", 0, 5, true)});
  json cur = Results(Context(), {FaultScenario("torn", 2, 5, true)});
  GateOptions options;
  options.replay_command = "/bin/crashbench replay /r/results.json --trial";
  GateReport r = RunGate(base, cur, options);
  EXPECT_TRUE(Has(r, Verdict::kBad,
                  "ar/sigkill: expectation failed (strategy atomic-rename, fault "
                  "sigkill@mid-record): forbidden torn in 2 of 5 trials"))
      << r.Render();
  EXPECT_TRUE(Has(r, Verdict::kBad,
                  "first in trial 0:\n      replay: /bin/crashbench replay /r/results.json "
                  "--trial ar/sigkill:0\n      rerun:  crashbench run s.json --scenario "
                  "ar/sigkill --trial 0 --keep"))
      << r.Render();
  EXPECT_EQ(r.ExitCode(false), 1);
}

// A kind the baseline never showed is a concrete counterexample: 0/4 -> 1/4
// is not significant to Fisher's test, and fails the gate all the same.
TEST(Gate, AViolationKindTheBaselineNeverShowedFailsAtOnceNamingTrialAndReplay) {
  GateReport r = RunGate(Results(Context(), {FaultScenario("torn", 0, 4, false)}),
                         Results(Context(), {FaultScenario("torn", 1, 4, false)}), GateOptions{});
  EXPECT_TRUE(Has(r, Verdict::kBad,
                  "ar/sigkill: new violation: torn in 1 of 4 trials, in none of the 4 baseline "
                  "trials"))
      << r.Render();
  EXPECT_TRUE(Has(r, Verdict::kBad,
                  "first in trial 0:\n      rerun:  crashbench run s.json --scenario ar/sigkill "
                  "--trial 0 --keep"))
      << r.Render();
  EXPECT_FALSE(Has(r, Verdict::kBad, "violation rate rose")) << "not a rate: " << r.Render();
  EXPECT_EQ(r.ExitCode(false), 1);
  // A kind the baseline showed already is left to the rate test.
  GateReport known =
      RunGate(Results(Context(), {FaultScenario("torn", 1, 4, false)}),
              Results(Context(), {FaultScenario("torn", 2, 4, false)}), GateOptions{});
  EXPECT_EQ(known.ExitCode(true), 0) << known.Render();
  // A forbidden kind is reported once, as the failed expectation it is.
  GateReport forbidden =
      RunGate(Results(Context(), {FaultScenario("torn", 0, 4, true)}),
              Results(Context(), {FaultScenario("torn", 1, 4, true)}), GateOptions{});
  EXPECT_FALSE(Has(forbidden, Verdict::kBad, "new violation")) << forbidden.Render();
  EXPECT_TRUE(Has(forbidden, Verdict::kBad, "expectation failed")) << forbidden.Render();
}

TEST(GateInput, ANonIntegerAnomalyCountIsRefusedNamingTheField) {
  json scenario = FaultScenario("torn", 0, 4, false);
  EXPECT_TRUE(CheckGateInput(Results(Context(), {scenario}), "cur.json").ok());
  scenario["trials"][2]["anomalies"] = {{"torn", "many"}};
  Status st = CheckGateInput(Results(Context(), {scenario}), "cur.json");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("cur.json: scenarios[0] ('ar/sigkill').trials[2].anomalies.torn: "
                              "must be a non-negative integer count, got \"many\""),
            std::string::npos)
      << st.message();
  scenario["trials"][2]["anomalies"] = {{"torn", -1}};
  EXPECT_FALSE(CheckGateInput(Results(Context(), {scenario}), "cur.json").ok());
  scenario["trials"][2]["anomalies"] = "torn";
  EXPECT_FALSE(CheckGateInput(Results(Context(), {scenario}), "cur.json").ok());
}

TEST(Gate, ViolationRateRiseNeedsMoreThanChance) {
  // Not forbidden (a strategy known to tear), so only the rate can fail it,
  // once the baseline has shown the kind.
  GateReport one_more =
      RunGate(Results(Context(), {FaultScenario("torn", 1, 40, false)}),
              Results(Context(), {FaultScenario("torn", 2, 40, false)}), GateOptions{});
  EXPECT_EQ(one_more.ExitCode(true), 0) << one_more.Render();
  GateReport rose =
      RunGate(Results(Context(), {FaultScenario("torn", 2, 40, false)}),
              Results(Context(), {FaultScenario("torn", 14, 40, false)}), GateOptions{});
  EXPECT_TRUE(Has(rose, Verdict::kBad, "violation rate rose from 2/40 to 14/40 trials"))
      << rose.Render();
  EXPECT_EQ(rose.ExitCode(false), 1);
  GateReport fell =
      RunGate(Results(Context(), {FaultScenario("torn", 14, 40, false)}),
              Results(Context(), {FaultScenario("torn", 2, 40, false)}), GateOptions{});
  EXPECT_EQ(fell.ExitCode(true), 0) << fell.Render();
}

// A scenario whose pool policy changed is another scenario: retry-task's
// duplicates are not a rise against fail-pool's baseline.
TEST(Gate, AChangedPoolPolicyIsNotComparedWithTheOldOne) {
  json base = FaultScenario("duplicate", 0, 40, false);
  json current = FaultScenario("duplicate", 40, 40, false);
  current["on_worker_death"] = "retry-task";
  GateReport r = RunGate(Results(Context(), {base}), Results(Context(), {current}), GateOptions{});
  EXPECT_FALSE(Has(r, Verdict::kBad, "violation rate rose")) << r.Render();
  EXPECT_TRUE(Has(r, Verdict::kNote, "no match in the baseline")) << r.Render();
  // The same policy, written out or left to its default, still matches.
  base["on_worker_death"] = "fail-pool";
  current.erase("on_worker_death");
  r = RunGate(Results(Context(), {base}), Results(Context(), {current}), GateOptions{});
  EXPECT_TRUE(Has(r, Verdict::kBad, "violation rate rose")) << r.Render();
}

TEST(Gate, HarnessErrorsInTheCurrentRunExit3) {
  json cur_scenario = FaultScenario("torn", 0, 5, false);
  cur_scenario["summary"]["harness_errors"] = 2;
  GateReport r = RunGate(Results(Context(), {FaultScenario("torn", 0, 5, false)}),
                         Results(Context(), {cur_scenario}), GateOptions{});
  EXPECT_TRUE(Has(r, Verdict::kHarness, "2 trials hit a harness error")) << r.Render();
  EXPECT_EQ(r.ExitCode(false), 3);
}

TEST(GateInput, BadFilesAreNamedWithWhatIsWrong) {
  testing::ScratchDir d;
  d.Write("v2.json", R"({"schema_version": 2, "scenarios": []})");
  d.Write("other.json", R"({"hello": 1})");
  d.Write("broken.json", R"({"schema_version": 1, )");
  d.Write("notrials.json", R"({"schema_version": 1, "scenarios": [{"name": "x"}]})");
  Result<json> v2 = LoadResultsFile(d.path() + "/v2.json");
  ASSERT_FALSE(v2.ok());
  EXPECT_NE(v2.status().message().find("v2.json: schema_version 2 is not supported"),
            std::string::npos)
      << v2.status().message();
  Result<json> other = LoadResultsFile(d.path() + "/other.json");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("other.json: not a crashbench results file"),
            std::string::npos);
  Result<json> broken = LoadResultsFile(d.path() + "/broken.json");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find("broken.json:1:23: invalid JSON: syntax error"),
            std::string::npos)
      << broken.status().message();
  Result<json> notrials = LoadResultsFile(d.path() + "/notrials.json");
  ASSERT_FALSE(notrials.ok());
  EXPECT_NE(notrials.status().message().find("notrials.json: scenarios[0].trials: missing"),
            std::string::npos)
      << notrials.status().message();
  Result<json> missing = LoadResultsFile(d.path() + "/missing.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("missing.json"), std::string::npos);
  EXPECT_TRUE(LoadResultsFile(d.path() + "/v2.json").status().message().find(d.path()) == 0);
}

TEST(GateSamples, OneSamplePerFaultFreeTrialThatRan) {
  json s = CostScenario("none", {1000, 2000});
  s["trials"].push_back(
      {{"index", 2}, {"error", "boom"}, {"duration_ms", 1.0}, {"records_visible", 5}});
  std::vector<double> v = ThroughputSamples(s);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_NEAR(v[0], 1000, 1e-6);
  EXPECT_NEAR(v[1], 2000, 1e-6);
  EXPECT_TRUE(ThroughputSamples(FaultScenario("torn", 0, 3, false)).empty());
}

}  // namespace
}  // namespace crashbench
