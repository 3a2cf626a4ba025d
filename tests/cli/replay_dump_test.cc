// The bytes `crashbench replay` shows for a torn record: the dump marks where
// the torn bytes stop and another writer's record begins, as the verifier
// found it, not the next newline (which lies past the other writer's record).
#include "harness/cli/replay_dump.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "harness/verify/verifier.h"
#include "tests/test_util.h"
#include "tests/verify/verifier_fixtures.h"

namespace crashbench {
namespace {

using verifier_testing::Line;
using verifier_testing::Rec;
using verifier_testing::TaskLines;

std::string RowOf(long long offset) {
  char row[32];
  std::snprintf(row, sizeof row, "> %08llx", offset / 16 * 16);
  return row;
}

TEST(ReplayDump, MarksWhereTheTornBytesEndAndAnotherWritersBegin) {
  // Task 1's holder killed mid-record; task 2 appends right after the cut.
  const std::string before = TaskLines(0, 4) + Line(1, 0, 4);
  const std::string torn = Rec(1, 1, 4).substr(0, 50);
  const std::string bytes = before + torn + TaskLines(2, 4);
  VerifyReport r =
      VerifyFiles({{"records.jsonl", bytes}}, {}, verifier_testing::Shared(3, 4, {0, 2}));
  const Anomaly* tear = nullptr;
  for (const Anomaly& a : r.anomalies)
    if (a.kind == AnomalyKind::kTorn) tear = &a;
  ASSERT_NE(tear, nullptr);
  const long long end = static_cast<long long>(before.size() + torn.size());
  ASSERT_EQ(tear->end, end);

  testing::ScratchDir dir;
  dir.Write("records.jsonl", bytes);
  const std::string dump = DumpAround(dir.path(), "records.jsonl", tear->offset, tear->end, 16);
  EXPECT_NE(
      dump.find("the torn bytes from offset " + std::to_string(tear->offset) + " stop at offset " +
                std::to_string(end) + "; another writer's bytes begin there"),
      std::string::npos)
      << dump;
  EXPECT_NE(dump.find("^^ offset " + std::to_string(end) + ": another writer's bytes begin here"),
            std::string::npos)
      << dump;
  EXPECT_NE(dump.find(RowOf(end)), std::string::npos) << dump;
  // Not the next newline, which ends task 2's first record.
  EXPECT_EQ(dump.find("(newline)"), std::string::npos) << dump;
}

TEST(ReplayDump, ATornRecordAtTheEndOfTheFileSaysSo) {
  const std::string bytes = Line(0, 0, 2) + Rec(0, 1, 2).substr(0, 30);
  testing::ScratchDir dir;
  dir.Write("records.jsonl", bytes);
  const long long offset = static_cast<long long>(Line(0, 0, 2).size());
  const std::string dump =
      DumpAround(dir.path(), "records.jsonl", offset, static_cast<long long>(bytes.size()), 8);
  EXPECT_NE(dump.find("(end of file: cut short)"), std::string::npos) << dump;
  EXPECT_NE(dump.find("^^ offset " + std::to_string(bytes.size() - 1) + ": the last torn byte"),
            std::string::npos)
      << dump;
}

}  // namespace
}  // namespace crashbench
