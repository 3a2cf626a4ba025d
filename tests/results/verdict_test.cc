// What a run's verdict rests on: guarantees (expect.forbid) decide the exit
// code, demonstrations (expect.show) that did not show are said and are not a
// failure, and a scenario without expectations says what its trials showed
// instead of "held".
#include "results/verdict.h"

#include <gtest/gtest.h>

#include "results/report.h"
#include "results/results.h"

namespace crashbench {
namespace {

// A scenario whose trials show these anomaly counts, one map per trial.
ScenarioResult Ran(const std::string& name, std::set<AnomalyKind> forbid,
                   std::set<AnomalyKind> show, const std::vector<AnomalyCounts>& trials) {
  ScenarioResult sr;
  sr.scenario.name = name;
  sr.scenario.strategy = "naive";
  sr.scenario.forbid = std::move(forbid);
  sr.scenario.show = std::move(show);
  sr.scenario.trials = static_cast<int>(trials.size());
  for (size_t i = 0; i < trials.size(); ++i) {
    TrialResult t;
    t.index = static_cast<int>(i);
    t.counts = trials[i];
    sr.trials.push_back(t);
  }
  return sr;
}

bool Has(const std::string& hay, const std::string& needle) {
  return hay.find(needle) != std::string::npos;
}

TEST(Verdict, ADemonstrationNotShownIsReportedAndExits0) {
  RunOutcome out;
  out.scenarios.push_back(
      Ran("naive/none", {AnomalyKind::kHang}, {AnomalyKind::kInterleaved}, {{}, {}}));
  EXPECT_EQ(RunExitCode(out), 0);
  const std::string table = RenderTable(out);
  EXPECT_TRUE(Has(table, "0/2 ?")) << table;
  EXPECT_TRUE(Has(table, "'?' a demonstration not shown this time")) << table;
  const std::string failures = RenderFailures(out, ReplayInfo{}, 10);
  EXPECT_TRUE(Has(failures, "not shown this time: naive/none: interleaved in none of 2 trials"))
      << failures;
  EXPECT_TRUE(Has(failures,
                  "verdict: every expectation held (1 scenarios); a demonstration not shown "
                  "this time in 1 scenario (not a failure)"))
      << failures;
  const nlohmann::json summary = ScenarioSummary(out.scenarios[0]);
  EXPECT_EQ(summary["expectation"], "held");
  EXPECT_EQ(summary["not_shown"], nlohmann::json::array({"interleaved"}));
  EXPECT_EQ(summary["shown"], nlohmann::json::object());
}

TEST(Verdict, AShownDemonstrationIsCountedAndABrokenGuaranteeExits1) {
  RunOutcome out;
  out.scenarios.push_back(Ran("naive/none", {AnomalyKind::kHang}, {AnomalyKind::kInterleaved},
                              {{{"interleaved", 3}}, {}}));
  EXPECT_EQ(RunExitCode(out), 0);
  EXPECT_EQ(ScenarioSummary(out.scenarios[0])["shown"], (nlohmann::json{{"interleaved", 1}}));
  EXPECT_TRUE(ScenarioSummary(out.scenarios[0])["not_shown"].empty());
  EXPECT_FALSE(Has(RenderTable(out), "1/2 interleaved ?"));
  out.scenarios.push_back(Ran("atomic-rename/none", {AnomalyKind::kTorn}, {}, {{{"torn", 1}}}));
  EXPECT_EQ(RunExitCode(out), 1);
  EXPECT_TRUE(Has(RenderTable(out), "1/1 torn !")) << RenderTable(out);
  EXPECT_TRUE(Has(RenderFailures(out, ReplayInfo{}, 10),
                  "verdict: 1 of 2 scenarios failed their expectation"));
}

TEST(Verdict, NoExpectationsSaysWhatTheTrialsShowed) {
  RunOutcome out;
  std::vector<AnomalyCounts> torn(197, AnomalyCounts{{"torn", 1}});
  out.scenarios.push_back(Ran("mine", {}, {}, torn));
  EXPECT_EQ(RunExitCode(out), 0);  // nothing was promised, nothing broke
  const std::string failures = RenderFailures(out, ReplayInfo{}, 10);
  EXPECT_TRUE(Has(failures, "verdict: no expectations given; 197/197 trials show violations"))
      << failures;
  EXPECT_FALSE(Has(failures, "every expectation held")) << failures;
  // Beside scenarios that do have expectations.
  out.scenarios.push_back(Ran("ar", {AnomalyKind::kTorn}, {}, {{}}));
  EXPECT_EQ(VerdictHeadline(CountVerdicts(out)),
            "every expectation held (1 scenarios); no expectations given for 1 scenarios: "
            "197/197 of their trials show violations");
}

// A fault-free scenario of three clean trials, without expectations.
nlohmann::json ReportTrial(int index, nlohmann::json anomalies, long long violations) {
  return {{"index", index},
          {"anomalies", anomalies},
          {"violations", violations},
          {"duration_ms", 1.0},
          {"replay", "crashbench run --trial " + std::to_string(index)}};
}

nlohmann::json ReportResults() {
  nlohmann::json clean = {
      {"name", "naive/none"},
      {"strategy", "naive"},
      {"fault_label", "none"},
      {"fault", {{"kind", "none"}, {"target", "worker"}}},
      {"expect", {{"forbid", nlohmann::json::array()}}},
      {"summary", {{"expectation", "held"}}},
      {"trials",
       {ReportTrial(0, nlohmann::json::object(), 0), ReportTrial(1, nlohmann::json::object(), 0),
        ReportTrial(2, nlohmann::json::object(), 0)}}};
  return {{"schema_version", 1},
          {"tool", {{"name", "crashbench"}, {"version", "0.1.0"}, {"git_sha", "abc"}}},
          {"context", nlohmann::json::object()},
          {"interrupted", false},
          {"scenarios", {clean}}};
}

// A run with no expectation at all checked nothing: its headline says what
// its trials showed, never a green "every expectation held".
TEST(ReportVerdict, NoExpectationsSaysWhatTheTrialsShowed) {
  nlohmann::json r = ReportResults();
  nlohmann::json mine = r["scenarios"][0];
  mine["trials"] = {ReportTrial(0, {{"torn", 1}}, 1), ReportTrial(1, {{"torn", 4}}, 4)};
  r["scenarios"] = nlohmann::json::array({mine});
  const std::string md = RenderSummaryMarkdown(r), html = RenderReportHtml(r);
  EXPECT_NE(md.find("## crashbench: no expectations given; 2/2 trials show violations"),
            std::string::npos)
      << md;
  EXPECT_NE(html.find("<h1>crashbench: no expectations given; 2/2 trials show violations</h1>"),
            std::string::npos)
      << html;
  EXPECT_EQ(md.find("every expectation held"), std::string::npos) << md;
  EXPECT_EQ(html.find("every expectation held"), std::string::npos) << html;
}

// A demonstration (expect.show) that did not show: '?', "not shown this
// time", and the run's verdict still holds.
TEST(ReportVerdict, ADemonstrationNotShownIsSaidNotFailed) {
  nlohmann::json r = ReportResults();
  nlohmann::json demo = r["scenarios"][0];
  demo["expect"] = {{"forbid", {"hang"}}, {"show", {"interleaved"}}};
  r["scenarios"] = nlohmann::json::array({demo});
  const std::string md = RenderSummaryMarkdown(r), html = RenderReportHtml(r);
  EXPECT_NE(md.find("## crashbench: every expectation held (1 scenarios); a demonstration not "
                    "shown this time in 1 scenario (not a failure)"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| naive | 0/3 ? |"), std::string::npos) << md;
  EXPECT_NE(md.find("**naive/none**: interleaved in none of 3 trials: not shown this time"),
            std::string::npos)
      << md;
  EXPECT_NE(html.find("interleaved in none of 3 trials: not shown this time"), std::string::npos)
      << html;
  EXPECT_EQ(RenderGithubAnnotations(r), "") << "not a failure";
  // Once it shows, it is no longer mentioned.
  r["scenarios"][0]["trials"][1]["anomalies"] = {{"interleaved", 2}};
  EXPECT_EQ(RenderSummaryMarkdown(r).find("in none of"), std::string::npos);
}

}  // namespace
}  // namespace crashbench
