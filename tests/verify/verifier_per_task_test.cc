// The verifier on damaged per-task outputs (task-<T>.json) and on directories
// as `crashbench verify` meets them.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "harness/contract/record.h"
#include "harness/verify/verifier.h"
#include "tests/test_util.h"
#include "tests/verify/verifier_fixtures.h"

namespace crashbench {
namespace {

using namespace verifier_testing;  // NOLINT: test builders

// ---- per-task layout -----------------------------------------------------

TEST(VerifierPerTask, CleanFilesHaveNoAnomalies) {
  VerifyReport r = VerifyFiles({{"task-0.json", FullDoc(0, 3)}, {"task-1.json", FullDoc(1, 3)}}, {},
                               PerTask(2, 3, {0, 1}));
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});
  EXPECT_EQ(r.records_visible, 6);
}

TEST(VerifierPerTask, CompleteFileOfUnackedTaskIsNoViolation) {
  VerifyReport r = VerifyFiles({{"task-0.json", FullDoc(0, 3)}}, {}, PerTask(1, {}, {}));
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});
}

TEST(VerifierPerTask, DocumentCutShortOfUnackedTask) {
  std::string doc = FullDoc(0, 3);
  doc.insert(doc.find("\"records\""), "\n");  // pretty-printed over two lines
  std::string cut = doc.substr(0, doc.size() / 2);
  VerifyReport r = VerifyFiles({{"task-0.json", cut}}, {}, PerTask(1, 3, {}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}, {"partial-visible", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kTorn).at(0), "task-0.json", cut.size(), 2, 0, -1);
  ExpectAt(OfKind(r, AnomalyKind::kPartialVisible).at(0), "task-0.json", 0, 1, 0, -1);
}

TEST(VerifierPerTask, DocumentCutShortOfAckedTaskIsOnlyTorn) {
  std::string doc = FullDoc(0, 3);
  VerifyReport r =
      VerifyFiles({{"task-0.json", doc.substr(0, doc.size() - 1)}}, {}, PerTask(1, 3, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kTorn).at(0), "task-0.json", doc.size() - 1, 1, 0, -1);
}

TEST(VerifierPerTask, EmptyFile) {
  VerifyReport r = VerifyFiles({{"task-0.json", ""}, {"task-1.json", ""}}, {}, PerTask(2, 3, {1}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 2}, {"partial-visible", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kTorn).at(0), "task-0.json", 0, 1, 0, -1);
  ExpectAt(OfKind(r, AnomalyKind::kPartialVisible).at(0), "task-0.json", 0, 1, 0, -1);
}

TEST(VerifierPerTask, IncompleteDocumentOfUnackedTaskIsPartialVisible) {
  VerifyReport r =
      VerifyFiles({{"task-0.json", Doc(0, 3, {Rec(0, 0, 3)})}}, {}, PerTask(1, {}, {}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"partial-visible", 1}}));
}

TEST(VerifierPerTask, MissingRecordsOfAckedTaskAreLost) {
  VerifyReport r = VerifyFiles({{"task-0.json", Doc(0, 3, {Rec(0, 0, 3), Rec(0, 2, 3)})}}, {},
                               PerTask(1, {}, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"lost-acked", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kLostAcked).at(0), "task-0.json", -1, -1, 0, 1);
}

TEST(VerifierPerTask, MissingFiles) {
  VerifyReport r = VerifyFiles({{"task-1.json", FullDoc(1, 2)}}, {}, PerTask(3, 2, {0, 1}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"lost-acked", 2}, {"lost-unacked", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kLostAcked).at(1), "task-0.json", -1, -1, 0, 1);
  ExpectAt(OfKind(r, AnomalyKind::kLostUnacked).at(0), "task-2.json", -1, -1, 2, -1);
}

TEST(VerifierPerTask, CrcMismatchIsCorruptAtTheRecord) {
  std::string bad = Rec(0, 1, 2);
  bad[bad.find("\"payload\":\"") + 11] ^= 1;
  std::string doc = Doc(0, 2, {Rec(0, 0, 2), bad});
  VerifyReport r = VerifyFiles({{"task-0.json", doc}}, {}, PerTask(1, 2, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kCorrupt).at(0), "task-0.json", doc.find(bad), 1, 0, 1);
}

TEST(VerifierPerTask, DuplicateSeqInDocument) {
  std::string doc = Doc(0, 2, {Rec(0, 0, 2), Rec(0, 1, 2), Rec(0, 1, 2)});
  VerifyReport r = VerifyFiles({{"task-0.json", doc}}, {}, PerTask(1, 2, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"duplicate", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kDuplicate).at(0), "task-0.json", doc.rfind(Rec(0, 1, 2)), 1, 0,
           1);
}

TEST(VerifierPerTask, DocumentWrittenTwice) {
  std::string doc = FullDoc(0, 2);
  std::string bytes = doc + "\n" + doc + "\n";
  VerifyReport r = VerifyFiles({{"task-0.json", bytes}}, {}, PerTask(1, 2, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"duplicate", 2}}));
  std::vector<Anomaly> found = OfKind(r, AnomalyKind::kDuplicate);
  ExpectAt(found.at(0), "task-0.json", doc.size() + 1 + doc.find(Rec(0, 0, 2)), 2, 0, 0);
  ExpectAt(found.at(1), "task-0.json", doc.size() + 1 + doc.find(Rec(0, 1, 2)), 2, 0, 1);
}

TEST(VerifierPerTask, SecondDocumentCutShort) {
  std::string doc = FullDoc(0, 2);
  std::string bytes = doc + doc.substr(0, 20);
  VerifyReport r = VerifyFiles({{"task-0.json", bytes}}, {}, PerTask(1, 2, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kTorn).at(0), "task-0.json", bytes.size(), 1, 0, -1);
}

TEST(VerifierPerTask, JunkAfterDocumentIsCorrupt) {
  std::string doc = FullDoc(0, 2);
  VerifyReport r = VerifyFiles({{"task-0.json", doc + "\nxx"}}, {}, PerTask(1, 2, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kCorrupt).at(0), "task-0.json", doc.size() + 1, 2, 0, -1);
}

TEST(VerifierPerTask, BadJsonInTheMiddleIsCorrupt) {
  std::string doc = FullDoc(0, 2);
  size_t at = doc.find("\"count\"");
  doc[at] = '#';
  VerifyReport r = VerifyFiles({{"task-0.json", doc}}, {}, PerTask(1, 2, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kCorrupt).at(0), "task-0.json", at, 1, 0, -1);
}

TEST(VerifierPerTask, DocumentOfAnotherTaskIsCorrupt) {
  VerifyReport r = VerifyFiles({{"task-0.json", FullDoc(1, 2)}}, {}, PerTask(2, 2, {0, 1}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}, {"lost-acked", 2}}));
  ExpectAt(OfKind(r, AnomalyKind::kCorrupt).at(0), "task-0.json", 0, 1, 0, -1);
}

TEST(VerifierPerTask, RecordOfAnotherTaskIsCorrupt) {
  std::string doc = Doc(0, 2, {Rec(0, 0, 2), Rec(1, 1, 2)});
  VerifyReport r = VerifyFiles({{"task-0.json", doc}}, {}, PerTask(2, 2, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}, {"lost-unacked", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kCorrupt).at(0), "task-0.json", doc.find(Rec(1, 1, 2)), 1, 0, 1);
}

TEST(VerifierPerTask, AStrayFileNotNamedLikeATempFileIsUnexpectedNotAnOrphanTemp) {
  VerifyReport r =
      VerifyFiles({{"task-0.json", FullDoc(0, 1)}, {"notes.txt", "hello"}}, {}, PerTask(1, 1, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"unexpected-file", 1}}));
  EXPECT_EQ(CountViolations(r.anomalies), 0);
  EXPECT_EQ(OfKind(r, AnomalyKind::kUnexpectedFile).at(0).file, "notes.txt");
}

TEST(VerifierPerTask, OtherFilesAreOrphans) {
  VerifyReport r = VerifyFiles({{"task-0.json", FullDoc(0, 1)}, {"task-0.json.tmp", "{"}},
                               {".tmp-42"}, PerTask(1, 1, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"orphan-temp", 2}}));
}

// ---- directories ---------------------------------------------------------

TEST(VerifierDirectory, MissingDirIsAnError) {
  testing::ScratchDir dir;
  std::string missing = dir.path() + "/nope";
  Result<VerifyReport> r = VerifyDirectory(missing, Shared(1, 1, {}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(missing), std::string::npos) << r.status().message();
}

TEST(VerifierDirectory, FileInsteadOfDirIsAnError) {
  testing::ScratchDir dir;
  dir.Write("records.jsonl", Line(0, 0, 1));
  std::string path = dir.path() + "/records.jsonl";
  Result<VerifyReport> r = VerifyDirectory(path, Shared(1, 1, {}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(path), std::string::npos) << r.status().message();
}

TEST(VerifierDirectory, PerTaskFilesUnderSharedLayoutIsAnError) {
  testing::ScratchDir dir;
  dir.Write("task-0.json", FullDoc(0, 1));
  Result<VerifyReport> r = VerifyDirectory(dir.path(), Shared(1, 1, {}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--layout per-task"), std::string::npos)
      << r.status().message();
}

TEST(VerifierDirectory, SharedFileUnderPerTaskLayoutIsAnError) {
  testing::ScratchDir dir;
  dir.Write("records.jsonl", Line(0, 0, 1));
  Result<VerifyReport> r = VerifyDirectory(dir.path(), PerTask(1, 1, {}));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--layout shared"), std::string::npos)
      << r.status().message();
}

TEST(VerifierDirectory, EmptyDirLosesEveryTask) {
  testing::ScratchDir dir;
  Result<VerifyReport> r = VerifyDirectory(dir.path(), Shared(2, 1, {1}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(CountAnomalies(r->anomalies), (AnomalyCounts{{"lost-acked", 1}, {"lost-unacked", 1}}));
}

TEST(VerifierDirectory, SharedTornThenAppendedWithOrphans) {
  testing::ScratchDir dir;
  std::string torn = Rec(0, 1, 2).substr(0, 33);
  dir.Write("records.jsonl", Line(0, 0, 2) + torn + TaskLines(1, 2));
  dir.Write(".lock", "");
  dir.Write("task-3.json", FullDoc(3, 1));  // the other layout's name beside a shared output
  ASSERT_EQ(::mkdir((dir.path() + "/sub").c_str(), 0755), 0);
  Result<VerifyReport> r = VerifyDirectory(dir.path(), Shared(2, 2, {1}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(CountAnomalies(r->anomalies),
            (AnomalyCounts{
                {"torn", 1}, {"partial-visible", 1}, {"orphan-temp", 1}, {"unexpected-file", 2}}));
  ExpectAt(OfKind(*r, AnomalyKind::kTorn).at(0), "records.jsonl", Line(0, 0, 2).size(), 2, 0, 1);
  EXPECT_EQ(OfKind(*r, AnomalyKind::kOrphanTemp).at(0).file, ".lock");
  std::vector<Anomaly> stray = OfKind(*r, AnomalyKind::kUnexpectedFile);
  EXPECT_EQ(stray.at(0).file, "sub");
  EXPECT_EQ(stray.at(1).file, "task-3.json");
  EXPECT_EQ(r->records_visible, 3);
}

TEST(VerifierDirectory, PerTaskFilesWithTempLeftBehind) {
  testing::ScratchDir dir;
  std::string doc = FullDoc(1, 2);
  dir.Write("task-0.json", FullDoc(0, 2));
  dir.Write("task-1.json", doc.substr(0, doc.size() - 3));
  dir.Write("task-2.json.tmp.4242", FullDoc(2, 2));
  Result<VerifyReport> r = VerifyDirectory(dir.path(), PerTask(3, 2, {0}));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(CountAnomalies(r->anomalies),
            (AnomalyCounts{
                {"torn", 1}, {"partial-visible", 1}, {"orphan-temp", 1}, {"lost-unacked", 1}}));
  ExpectAt(OfKind(*r, AnomalyKind::kTorn).at(0), "task-1.json", doc.size() - 3, 1, 1, -1);
  EXPECT_EQ(OfKind(*r, AnomalyKind::kOrphanTemp).at(0).file, "task-2.json.tmp.4242");
  EXPECT_EQ(r->records_visible, 2);
}

}  // namespace
}  // namespace crashbench
