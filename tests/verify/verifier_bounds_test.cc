// What the verifier's fuzzer (tests/fuzz/fuzz_verify.cc) found, each fed back
// as the input that broke it: bounds on what one verification accounts for.
#include <gtest/gtest.h>

#include <string>

#include "harness/base/sys.h"
#include "harness/verify/verifier.h"
#include "tests/verify/verifier_fixtures.h"

namespace crashbench {
namespace {

using namespace verifier_testing;  // NOLINT: test builders

TEST(VerifierBounds, OptionsWithinTheLimitAreAccepted) {
  EXPECT_TRUE(CheckVerifyOptions(Shared(64, 16, {0, 1, 2})).ok());
  EXPECT_TRUE(CheckVerifyOptions(Shared(kMaxVerifyRecords, 1, {})).ok());
  EXPECT_TRUE(CheckVerifyOptions(Shared({}, {}, {5, 7})).ok());
}

// The fuzzer's input "s t=1000000000": a lost-unacked anomaly for each of a
// billion tasks did not fit in memory.
TEST(VerifierBounds, TooManyTasksAreRefused) {
  Status st = CheckVerifyOptions(Shared(1000000000, {}, {}));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(),
            "1000000000 tasks (--tasks and the acknowledged ones): more than the 1048576 records "
            "a verification accounts for (each may be listed as lost)");
}

// Tasks times records: each record of an acknowledged task may be listed as lost.
TEST(VerifierBounds, TooManyRecordsAreRefused) {
  EXPECT_FALSE(CheckVerifyOptions(PerTask(4096, 4096, {})).ok());
  EXPECT_FALSE(CheckVerifyOptions(Shared(1, 1000000000, {0})).ok());
  // Acknowledged tasks outside 0..tasks-1 count too.
  EXPECT_TRUE(CheckVerifyOptions(Shared(2, 1 << 19, {0, 1})).ok());
  EXPECT_FALSE(CheckVerifyOptions(Shared(2, 1 << 19, {0, 1, 2})).ok());
}

// Record counts read from the files ("of") are believed up to the same total:
// four acknowledged tasks, each with one record that claims 2^19 records, were
// two million lost-acked anomalies. Past the bound the count is not believed,
// as a count above kMaxRecordsFromData is not: the tasks are still reported.
TEST(VerifierBounds, RecordCountsFromTheFilesShareTheLimit) {
  const long long of = 1 << 19;
  std::string bytes;
  for (long long task = 0; task < 4; ++task) bytes += Line(task, 0, of);
  VerifyReport r = VerifyShared(bytes, Shared({}, {}, {0, 1, 2, 3}));
  const long long lost = static_cast<long long>(OfKind(r, AnomalyKind::kLostAcked).size());
  EXPECT_LE(lost, kMaxVerifyRecords);
  EXPECT_EQ(lost, 2 * (of - 1)) << "the first two tasks' counts fit the bound and are listed";
  EXPECT_EQ(r.records_visible, 4);
}

// The one input the long fuzz run stopped on: records of task 23 and pieces of
// a per-task document cut and glued into records.jsonl. It was a libFuzzer
// timeout only because the machine was loaded (2.7 s of CPU under ASan and
// coverage, 22 s of wall time; a few ms here), so it is kept as a seed, and
// here as a check that the reassembler's reading of it stays consistent:
// every anomaly inside the file, and records that were read whole counted.
TEST(VerifierBounds, ReassemblyOfCutAndGluedPiecesStaysInsideTheFile) {
  Result<std::string> input = ReadFileToString(
      std::string(CRASHBENCH_SOURCE_DIR) + "/tests/fuzz/corpus/verify/timeout-loaded-machine.txt");
  ASSERT_TRUE(input.ok()) << input.status().message();
  const std::string bytes = input->substr(input->find('\n') + 1);  // after the header line "s"
  VerifyReport r = VerifyShared(bytes, Shared({}, {}, {}));
  ASSERT_FALSE(r.anomalies.empty());
  for (const Anomaly& a : r.anomalies) {
    if (a.offset < 0) continue;
    EXPECT_EQ(a.file, "records.jsonl");
    EXPECT_LE(a.offset, static_cast<long long>(bytes.size()));
    EXPECT_GE(a.line, 1);
    if (a.end >= 0) {
      EXPECT_LE(a.end, static_cast<long long>(bytes.size()));
    }
  }
  EXPECT_GT(r.records_visible, 0);
}

}  // namespace
}  // namespace crashbench
