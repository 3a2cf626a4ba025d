// Anomaly kinds: names, which are violations, and how a stray file is named.
#include "harness/contract/anomaly.h"

#include <gtest/gtest.h>

namespace crashbench {
namespace {

TEST(Anomaly, EveryKindRoundTripsThroughItsName) {
  for (AnomalyKind k : kAllAnomalyKinds) EXPECT_EQ(AnomalyFromName(AnomalyName(k)), k);
  EXPECT_EQ(AnomalyFromName("no-such-kind"), std::nullopt);
}

TEST(Anomaly, ReportedKindsAreNotViolations) {
  EXPECT_FALSE(IsViolation(AnomalyKind::kOrphanTemp));
  EXPECT_FALSE(IsViolation(AnomalyKind::kLostUnacked));
  EXPECT_FALSE(IsViolation(AnomalyKind::kUnexpectedFile));
  EXPECT_TRUE(IsViolation(AnomalyKind::kTorn));
  EXPECT_TRUE(IsViolation(AnomalyKind::kLostAcked));
}

TEST(Anomaly, StrayFilesNamedLikeTempFilesAreOrphanTemps) {
  for (const char* name : {"task-2.json.tmp.4242", ".tmp-42", ".lock", "out.json~", "sedAb12Cd",
                           ".report.swp", "data.part", "TEMP_output", "records.jsonl.TMP"})
    EXPECT_EQ(StrayFileKind(name), AnomalyKind::kOrphanTemp) << name;
}

TEST(Anomaly, OtherStrayFilesAreUnexpected) {
  for (const char* name : {"notes.txt", "sub", "task-3.json", "records.csv", "sed", "sedimentary"})
    EXPECT_EQ(StrayFileKind(name), AnomalyKind::kUnexpectedFile) << name;
}

}  // namespace
}  // namespace crashbench
