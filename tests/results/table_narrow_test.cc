// The integrity table in its narrow form: a golden text at 100 columns, no
// line over the width however long a name or a cell, every wide cell shown,
// and the form picked by RenderTableFor (wide for a file unless asked).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "harness/base/sys.h"
#include "results/results.h"
#include "scenarios/default_matrix.h"
#include "tests/test_util.h"

namespace crashbench {
namespace {

size_t Columns(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

size_t LongestLine(const std::string& text) {
  std::istringstream lines(text);
  size_t longest = 0;
  for (std::string line; std::getline(lines, line);) longest = std::max(longest, Columns(line));
  return longest;
}

// `bad` of `trials` trials torn (and interleaved in every other one).
ScenarioResult MakeResult(const std::string& name, const std::string& fault, TriggerType trigger,
                          int trials, int bad, std::set<AnomalyKind> forbid = {}) {
  ScenarioResult sr;
  sr.scenario.name = name;
  sr.scenario.fault.kind = fault;
  sr.scenario.fault.trigger.type = trigger;
  sr.scenario.forbid = std::move(forbid);
  for (int i = 0; i < trials; ++i) {
    TrialResult t;
    t.index = i;
    if (i < bad) t.counts["torn"] = 1;
    if (i < bad && i % 2 == 0) t.counts["interleaved"] = 3;
    sr.trials.push_back(t);
  }
  return sr;
}

// A matrix shaped like the default one: strategies by faults, then pitfall
// rows, a failed expectation, a harness error, a name too long for any column.
RunOutcome MatrixLikeOutcome() {
  RunOutcome o;
  const std::vector<std::string> strategies = {"naive",         "shared-handle", "per-task-file",
                                               "locked-append", "atomic-rename", "queue-writer"};
  for (size_t s = 0; s < strategies.size(); ++s) {
    const int bad = static_cast<int>(s % 3) * 2;
    o.scenarios.push_back(MakeResult(strategies[s] + "/none", "none", TriggerType::kNone, 5, bad));
    o.scenarios.push_back(MakeResult(strategies[s] + "/sigkill@mid-record", "sigkill",
                                     TriggerType::kPoint, 40, bad * 7));
    o.scenarios.push_back(
        MakeResult(strategies[s] + "/sigkill@random", "sigkill", TriggerType::kRandom, 40, bad));
  }
  ScenarioResult writer = MakeResult("queue-writer ack=on-write/sigkill@mid-record/writer",
                                     "sigkill", TriggerType::kPoint, 5, 2);
  writer.scenario.fault.target = FaultTarget::kWriter;
  o.scenarios.push_back(writer);
  o.scenarios.push_back(MakeResult("atomic-rename retry-task/sigkill@mid-record", "sigkill",
                                   TriggerType::kPoint, 5, 1, {AnomalyKind::kTorn}));
  ScenarioResult broken =
      MakeResult("locked-append open=inherited/none", "none", TriggerType::kNone, 5, 0);
  broken.error = "the fault point was never reached";
  o.scenarios.push_back(broken);
  o.scenarios.push_back(
      MakeResult(std::string(150, 'x') + " ünïcode name/none", "none", TriggerType::kNone, 3, 3));
  return o;
}

TEST(TableNarrowTest, MatchesGoldenAt100Columns) {
  const std::string narrow = RenderTable(MatrixLikeOutcome(), TableForm::kNarrow, 100);
  const std::string golden_path =
      std::string(CRASHBENCH_SOURCE_DIR) + "/tests/results/golden/table_narrow_100.txt";
  if (std::getenv("CRASHBENCH_UPDATE_GOLDEN")) {
    ASSERT_TRUE(WriteFileAtomic(golden_path, narrow).ok());
  }
  crashbench::Result<std::string> golden = ReadFileToString(golden_path);
  ASSERT_TRUE(golden.ok()) << golden.status().message();
  EXPECT_EQ(narrow, *golden) << "to accept the new text: CRASHBENCH_UPDATE_GOLDEN=1 "
                                "crashbench_unit_tests --gtest_filter='TableNarrowTest.*'";
  EXPECT_LE(LongestLine(narrow), 100u);
  EXPECT_GT(LongestLine(RenderTable(MatrixLikeOutcome())), 100u) << "the wide form stays wide";
}

TEST(TableNarrowTest, EveryCellOfTheWideTableFitsAtAnyWidth) {
  const RunOutcome outcome = MatrixLikeOutcome();
  const TableGrid grid = BuildTableGrid(outcome);
  for (size_t width : {40u, 60u, 80u, 100u, 120u}) {
    const std::string narrow = RenderTable(outcome, TableForm::kNarrow, width);
    EXPECT_LE(LongestLine(narrow), width) << narrow;
    if (width < 60) continue;  // narrower, a long cell is wrapped over lines
    for (const auto& [where, cell] : grid.cells)
      EXPECT_NE(narrow.find(cell), std::string::npos) << cell << " at width " << width;
    for (const std::string& col : grid.cols)
      EXPECT_NE(narrow.find("fault " + col + "\n"), std::string::npos) << col;
  }
  EXPECT_NE(RenderTable(outcome, TableForm::kNarrow, 100).find(" !"), std::string::npos)
      << "the failed expectation's mark";
}

TEST(TableNarrowTest, TheDefaultMatrixFitsIn100Columns) {
  RunOutcome outcome;
  for (const Scenario& s : DefaultMatrix(false)) {
    ScenarioResult sr = MakeResult(s.name, s.fault.kind, s.fault.trigger.type, s.trials, s.trials);
    sr.scenario = s;
    outcome.scenarios.push_back(sr);
  }
  EXPECT_LE(LongestLine(RenderTable(outcome, TableForm::kNarrow, 100)), 100u);
}

TEST(TableNarrowTest, AFileGetsTheWideFormUnlessNarrowIsAsked) {
  const RunOutcome outcome = MatrixLikeOutcome();
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  const int fd = ::fileno(file);
  ::setenv("COLUMNS", "100", 1);
  EXPECT_EQ(RenderTableFor(outcome, "auto", fd), RenderTable(outcome));
  EXPECT_EQ(RenderTableFor(outcome, "wide", fd), RenderTable(outcome));
  EXPECT_EQ(RenderTableFor(outcome, "narrow", fd), RenderTable(outcome, TableForm::kNarrow, 100));
  ::setenv("COLUMNS", "70", 1);
  EXPECT_LE(LongestLine(RenderTableFor(outcome, "narrow", fd)), 70u);
  ::unsetenv("COLUMNS");
  std::fclose(file);
}

TEST(TableNarrowTest, HeadingsSayTheRowsAreScenarios) {
  const std::string wide = RenderTable(MatrixLikeOutcome());
  EXPECT_EQ(wide.rfind("scenario ", 0), 0u) << wide.substr(0, 40);
  EXPECT_EQ(wide.find("strategy"), std::string::npos);
}

}  // namespace
}  // namespace crashbench
