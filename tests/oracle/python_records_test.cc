// subjects/python/crashbench_records.py writes the record contract in pure
// Python: its records are byte for byte crashbench's own (payload and CRC-32C
// included), pass the verifier through the records oracle, and one flipped
// byte does not.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "harness/base/crc32c.h"
#include "harness/base/sys.h"
#include "harness/contract/record.h"
#include "tests/oracle/oracle_fixtures.h"

namespace crashbench {
namespace {

using namespace oracle_testing;  // NOLINT: test helpers
using testing::ScratchDir;

const char* const kPython = "/usr/bin/python3";  // Debian's, as subjects use it
const std::string kModule =
    std::string(CRASHBENCH_SOURCE_DIR) + "/subjects/python/crashbench_records.py";

// Runs the module with args (single-quoted for sh); its stdout, or nullopt on a
// non-zero exit.
std::optional<std::string> RunModule(const std::string& args, const std::string& env = "") {
  const std::string cmd = env + " " + kPython + " '" + kModule + "' " + args;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  return ::pclose(p) == 0 ? std::optional<std::string>(out) : std::nullopt;
}

class PythonRecords : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kPython, X_OK) != 0)
      GTEST_SKIP() << "skipped: " << kPython
                   << " is not installed (scripts/bootstrap.sh installs it)";
  }
};

TEST_F(PythonRecords, RecordsAreByteForByteCrashbenchsOwn) {
  struct Case {
    unsigned long long seed;
    long long task, seq, of;
    size_t bytes;
  };
  for (const Case& c :
       {Case{0, 0, 0, 1, 0}, Case{7, 3, 1, 4, 1}, Case{7, 3, 2, 4, 7}, Case{42, 12, 3, 16, 8},
        Case{42, 12, 15, 16, 9}, Case{18446744073709551615ull, 999999, 5, 6, 1000},
        Case{123456789, 1, 0, 1, 100000}}) {
    std::string expected;
    EncodeGeneratedRecordTo(c.seed, c.task, c.seq, c.of, c.bytes, &expected);
    std::optional<std::string> got =
        RunModule("record " + std::to_string(c.task) + " " + std::to_string(c.seq) + " " +
                  std::to_string(c.of) + " --seed " + std::to_string(c.seed) + " --bytes " +
                  std::to_string(c.bytes));
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(*got, expected + "\n") << "seed " << c.seed << " task " << c.task << " seq " << c.seq;
  }
}

TEST_F(PythonRecords, PayloadNeedingEscapesStillPassesTheContract) {
  std::optional<std::string> line = RunModule("record 2 0 1 --payload 'say \"hi\" \\ bye'");
  ASSERT_TRUE(line.has_value());
  Record r;
  EXPECT_EQ(ParseRecord(*line, &r), ParseOutcome::kValid) << *line;
  EXPECT_EQ(r.payload, "say \"hi\" \\ bye");
}

TEST_F(PythonRecords, SharedWorkloadPassesAndAFlippedByteDoesNot) {
  ScratchDir out, work;
  const std::string acks = work.path() + "/acks";
  ASSERT_TRUE(RunModule("write shared '" + out.path() + "' --tasks 4 --records 3 --bytes 50",
                        "CRASHBENCH_ACK_FILE='" + acks + "'")
                  .has_value());
  Result<std::string> ack_text = ReadFileToString(acks);
  ASSERT_TRUE(ack_text.ok());
  EXPECT_EQ(*ack_text, "0\n1\n2\n3\n");

  OracleSpec spec;
  spec.kind = OracleKind::kRecords;
  OracleInput in = InputFor(out);
  in.tasks = 4;
  in.records_per_task = 3;
  in.acked = {0, 1, 2, 3};
  OracleReport clean = Judge(spec, in);
  EXPECT_EQ(CountAnomalies(clean.anomalies), AnomalyCounts{});
  EXPECT_EQ(clean.records_visible, 12);

  Result<std::string> bytes = ReadFileToString(out.path() + "/records.jsonl");
  ASSERT_TRUE(bytes.ok());
  std::string flipped = *bytes;
  const size_t at = flipped.find("\"payload\":\"") + 20;  // inside task 0's first payload
  flipped[at] = static_cast<char>(flipped[at] == 'A' ? 'B' : 'A');
  out.Write("records.jsonl", flipped);
  OracleReport damaged = Judge(spec, in);
  ASSERT_EQ(CountAnomalies(damaged.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  EXPECT_EQ(damaged.anomalies[0].detail, "crc does not match");
  EXPECT_EQ(damaged.anomalies[0].task, 0);
  EXPECT_EQ(damaged.records_visible, 11);
}

TEST_F(PythonRecords, PerTaskWorkloadPassesAtomicOrDirect) {
  for (const char* how : {"", "--direct"}) {
    ScratchDir out;
    ASSERT_TRUE(RunModule(std::string("write per-task '") + out.path() +
                          "' --tasks 3 --records 2 --bytes 30 --seed 5 " + how)
                    .has_value());
    EXPECT_EQ(testing::Entries(out.path()),
              (std::set<std::string>{"task-0.json", "task-1.json", "task-2.json"}));
    OracleSpec spec;
    spec.kind = OracleKind::kRecords;
    spec.layout = Layout::kPerTask;
    OracleInput in = InputFor(out);
    in.tasks = 3;
    in.records_per_task = 2;
    in.acked = {0, 1, 2};
    OracleReport r = Judge(spec, in);
    EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{}) << how;
    EXPECT_EQ(r.records_visible, 6);
  }
}

TEST_F(PythonRecords, Crc32cCheckValue) {
  const std::string cmd = std::string(kPython) + " -c \"import sys; sys.path.insert(0, '" +
                          std::string(CRASHBENCH_SOURCE_DIR) +
                          "/subjects/python'); import crashbench_records as c; "
                          "print('%08x' % c.crc32c(b'123456789'))\"";
  FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  char buf[64] = {};
  const size_t n = std::fread(buf, 1, sizeof buf - 1, p);
  ASSERT_EQ(::pclose(p), 0);
  EXPECT_EQ(std::string(buf, n), Crc32cHex(Crc32c("123456789", 9)) + "\n");
  EXPECT_EQ(Crc32cHex(Crc32c("123456789", 9)), "e3069283");
}

}  // namespace
}  // namespace crashbench
