// The records oracle is the verifier on the directory: the record contract
// and the acknowledgements judge a program's output as they judge the
// built-in strategies'.
#include <gtest/gtest.h>

#include "harness/contract/record.h"
#include "tests/oracle/oracle_fixtures.h"

namespace crashbench {
namespace {

using namespace oracle_testing;  // NOLINT: test helpers
using testing::ScratchDir;

std::string TaskLines(long long task, long long of) {
  std::string s;
  for (long long seq = 0; seq < of; ++seq)
    s += EncodeRecord(task, seq, of, MakePayload(3, task, seq, 40)) + "\n";
  return s;
}

OracleInput Workload(const ScratchDir& out, long long tasks, long long per_task,
                     std::set<long long> acked) {
  OracleInput in = InputFor(out);
  in.tasks = tasks;
  in.records_per_task = per_task;
  in.acked = std::move(acked);
  return in;
}

OracleSpec Records(Layout layout) {
  OracleSpec s;
  s.kind = OracleKind::kRecords;
  s.layout = layout;
  return s;
}

TEST(RecordsOracle, CleanSharedFileHasNoAnomalies) {
  ScratchDir out;
  Put(out, "records.jsonl", TaskLines(0, 3) + TaskLines(1, 3));
  OracleReport r = Judge(Records(Layout::kShared), Workload(out, 2, 3, {0, 1}));
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});
  EXPECT_EQ(r.records_visible, 6);
}

TEST(RecordsOracle, VerifierFindingsComeThrough) {
  ScratchDir out;
  const std::string bytes = TaskLines(0, 3) + TaskLines(1, 3).substr(0, 70);
  Put(out, "records.jsonl", bytes);
  Put(out, "records.jsonl.tmp", "");
  OracleReport r = Judge(Records(Layout::kShared), Workload(out, 3, 3, {0, 1}));
  EXPECT_EQ(
      CountAnomalies(r.anomalies),
      (AnomalyCounts{{"torn", 1}, {"lost-acked", 2}, {"lost-unacked", 1}, {"orphan-temp", 1}}));
  EXPECT_EQ(OfKind(r, AnomalyKind::kTorn)[0].offset,
            static_cast<long long>(TaskLines(0, 3).size()));
}

TEST(RecordsOracle, PerTaskLayout) {
  ScratchDir out;
  std::string doc = "{\"task\":0,\"count\":2,\"records\":[";
  doc += EncodeRecord(0, 0, 2, MakePayload(3, 0, 0, 40)) + "," +
         EncodeRecord(0, 1, 2, MakePayload(3, 0, 1, 40)) + "]}\n";
  Put(out, "task-0.json", doc);
  Put(out, "task-1.json", doc.substr(0, 30));
  OracleReport r = Judge(Records(Layout::kPerTask), Workload(out, 2, 2, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}, {"partial-visible", 1}}));
  EXPECT_EQ(r.records_visible, 2);
}

TEST(RecordsOracle, TheOtherLayoutsFilesAreAnErrorThatSaysSo) {
  ScratchDir out;
  Put(out, "records.jsonl", TaskLines(0, 1));
  Result<OracleReport> r = RunOracle(Records(Layout::kPerTask), Workload(out, 1, 1, {0}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("oracle records: "), std::string::npos);
  EXPECT_NE(r.status().message().find("use --layout shared"), std::string::npos);
}

}  // namespace
}  // namespace crashbench
