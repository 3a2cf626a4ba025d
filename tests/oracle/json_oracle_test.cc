// The json oracle: each file a glob matches is one JSON document; a file cut
// short is torn, other damage corrupt, a missing named file or too few
// documents lost-acked (the run exited 0) or lost-unacked; files no glob
// matches are stray.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/oracle/oracle_fixtures.h"

namespace crashbench {
namespace {

using namespace oracle_testing;  // NOLINT: test helpers
using testing::ScratchDir;

const std::string kDoc = "{\"id\": 7, \"rows\": [1, 2, 3], \"name\": \"seven\"}\n";

TEST(JsonOracle, CleanFilesHaveNoAnomalies) {
  ScratchDir out;
  Put(out, "a.json", kDoc);
  Put(out, "b.json", "[1,2]");
  Put(out, "sub/c.json", "  \"text\"  \n");
  OracleReport r = Judge(FilesSpec(OracleKind::kJson, {"*.json", "sub/*.json"}, 3), InputFor(out));
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});
  EXPECT_EQ(r.records_visible, 3);
}

TEST(JsonOracle, CutShortDocumentIsTornWhereItsBytesStop) {
  ScratchDir out;
  const std::string cut = kDoc.substr(0, 20);
  Put(out, "a.json", cut);
  OracleReport r = Judge(FilesSpec(OracleKind::kJson, {"*.json"}), InputFor(out));
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}}));
  const Anomaly& a = r.anomalies[0];
  EXPECT_EQ(a.file, "a.json");
  EXPECT_EQ(a.offset, 20);
  EXPECT_EQ(a.line, 1);
  EXPECT_EQ(a.excerpt, "{\"id\": 7, \"rows\": [1");  // the tail before the cut
  EXPECT_EQ(a.detail, "an incomplete JSON document: cut short after 20 bytes");
  EXPECT_EQ(r.records_visible, 0);
}

TEST(JsonOracle, EmptyFileAtTheFinalNameIsTorn) {
  // A worker killed before its first write leaves the file it opened "w".
  ScratchDir out;
  Put(out, "task-3.json", "");
  Put(out, "task-4.json", " \n");
  OracleReport r = Judge(FilesSpec(OracleKind::kJson, {"task-*.json"}), InputFor(out));
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 2}}));
  EXPECT_EQ(r.anomalies[0].detail, "an empty file where a JSON document belongs");
  EXPECT_EQ(r.anomalies[1].detail, "only whitespace where a JSON document belongs");
}

TEST(JsonOracle, GarbageIsCorruptAtTheOffendingByte) {
  ScratchDir out;
  const std::string bytes = "{\n  \"a\": 1,\n  \"b\": tru,\n  \"c\": 3\n}\n";
  Put(out, "x.json", bytes);
  OracleReport r = Judge(FilesSpec(OracleKind::kJson, {"x.json"}), InputFor(out));
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  const Anomaly& a = r.anomalies[0];
  EXPECT_EQ(a.line, 3);
  EXPECT_EQ(bytes.substr(static_cast<size_t>(a.offset), 1), ",");  // "tru" ends at the comma
  EXPECT_EQ(a.excerpt, "  \"b\": tru,\\n  \"c\": 3\\n}\\n");
  EXPECT_NE(a.detail.find("invalid JSON at line 3, column 11: syntax error"), std::string::npos)
      << a.detail;
}

TEST(JsonOracle, BytesAfterTheDocumentAreCorrupt) {
  // Two writers, or a rerun that appended instead of replacing.
  ScratchDir out;
  Put(out, "a.json", kDoc + kDoc);
  OracleReport r = Judge(FilesSpec(OracleKind::kJson, {"a.json"}), InputFor(out));
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  EXPECT_EQ(r.anomalies[0].offset, static_cast<long long>(kDoc.size()));
  EXPECT_NE(r.anomalies[0].detail.find("expected end of input"), std::string::npos)
      << r.anomalies[0].detail;
}

TEST(JsonOracle, NestingBeyondTheBoundIsCorruptNotACrash) {
  ScratchDir out;
  Put(out, "deep.json", std::string(100000, '[') + std::string(100000, ']'));
  OracleReport r = Judge(FilesSpec(OracleKind::kJson, {"deep.json"}), InputFor(out));
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  EXPECT_EQ(r.anomalies[0].offset, 512);
  EXPECT_EQ(r.anomalies[0].detail,
            "invalid JSON at line 1, column 513: nested deeper than 512 levels");
}

TEST(JsonOracle, AnUnterminatedStringIsNotEchoedWhole) {
  ScratchDir out;
  const std::string bytes =
      "{\"a\": \"" + std::string(100000, 'x') + "\x01" + std::string(1000, 'y');
  Put(out, "a.json", bytes);
  OracleReport r = Judge(FilesSpec(OracleKind::kJson, {"a.json"}), InputFor(out));
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(r.anomalies[0].kind, AnomalyKind::kCorrupt);  // a control character in a string
  EXPECT_LT(r.anomalies[0].excerpt.size(), 100u);
  EXPECT_LT(r.anomalies[0].detail.size(), 300u);
}

TEST(JsonOracle, TooFewDocumentsIsLostAckedWhenTheRunExitedZero) {
  ScratchDir out;
  Put(out, "task-0.json", kDoc);
  Put(out, "task-1.json", kDoc);
  OracleReport ok = Judge(FilesSpec(OracleKind::kJson, {"task-*.json"}, 4), InputFor(out, true));
  ASSERT_EQ(CountAnomalies(ok.anomalies), (AnomalyCounts{{"lost-acked", 1}}));
  EXPECT_EQ(ok.anomalies[0].detail,
            "4 documents expected, 2 valid: 2 more missing, and the run exited 0");
  OracleReport failed =
      Judge(FilesSpec(OracleKind::kJson, {"task-*.json"}, 4), InputFor(out, false));
  ASSERT_EQ(CountAnomalies(failed.anomalies), (AnomalyCounts{{"lost-unacked", 1}}));
}

TEST(JsonOracle, DamagedDocumentsAreNotCountedLostAgain) {
  ScratchDir out;
  Put(out, "task-0.json", kDoc);
  Put(out, "task-1.json", kDoc.substr(0, 5));
  OracleReport r = Judge(FilesSpec(OracleKind::kJson, {"task-*.json"}, 2), InputFor(out));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}}));
  OracleReport short_of_three =
      Judge(FilesSpec(OracleKind::kJson, {"task-*.json"}, 3), InputFor(out));
  ASSERT_EQ(CountAnomalies(short_of_three.anomalies),
            (AnomalyCounts{{"torn", 1}, {"lost-acked", 1}}));
  EXPECT_EQ(OfKind(short_of_three, AnomalyKind::kLostAcked)[0].detail,
            "3 documents expected, 1 valid, 1 damaged (reported on their own): 1 more missing, "
            "and the run exited 0");
}

TEST(JsonOracle, ANamedFileThatIsMissingIsLost) {
  ScratchDir out;
  Put(out, "a.json", kDoc);
  OracleReport r =
      Judge(FilesSpec(OracleKind::kJson, {"a.json", "summary.json"}, 2), InputFor(out));
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"lost-acked", 1}}));  // not twice
  EXPECT_EQ(r.anomalies[0].file, "summary.json");
  OracleReport unacked =
      Judge(FilesSpec(OracleKind::kJson, {"a.json", "summary.json"}), InputFor(out, false));
  EXPECT_EQ(CountAnomalies(unacked.anomalies), (AnomalyCounts{{"lost-unacked", 1}}));
}

TEST(JsonOracle, FilesNoGlobMatchesAreStray) {
  ScratchDir out;
  Put(out, "a.json", kDoc);
  Put(out, ".a.json.swp", "x");
  Put(out, "a.json.tmp", "{");  // matches no glob: not judged, a temp file
  Put(out, "notes.txt", "hello");
  Put(out, "sub/sedAb12Cd", "x");
  OracleReport r = Judge(FilesSpec(OracleKind::kJson, {"*.json"}), InputFor(out));
  EXPECT_EQ(CountAnomalies(r.anomalies),
            (AnomalyCounts{{"orphan-temp", 3}, {"unexpected-file", 1}}));
  EXPECT_EQ(OfKind(r, AnomalyKind::kUnexpectedFile)[0].file, "notes.txt");
  EXPECT_EQ(OfKind(r, AnomalyKind::kOrphanTemp)[2].file, "sub/sedAb12Cd");
  EXPECT_EQ(CountViolations(r.anomalies), 0);
}

TEST(JsonOracle, AFifoWhereAFileBelongsIsStrayNotAHang) {
  ScratchDir out;
  ASSERT_EQ(::mkfifo((out.path() + "/a.json").c_str(), 0600), 0);
  OracleReport r = Judge(FilesSpec(OracleKind::kJson, {"*.json"}), InputFor(out));
  ASSERT_EQ(r.anomalies.size(), 1u);
  EXPECT_EQ(r.anomalies[0].kind, AnomalyKind::kUnexpectedFile);
  EXPECT_NE(r.anomalies[0].detail.find("a FIFO"), std::string::npos);
}

TEST(JsonOracle, MissingOutputDirectoryIsAnError) {
  OracleInput in;
  in.out_dir = "/nonexistent/crashbench-oracle";
  Result<OracleReport> r = RunOracle(FilesSpec(OracleKind::kJson, {"*.json"}), in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "oracle json: output directory /nonexistent/crashbench-oracle does not exist");
}

}  // namespace
}  // namespace crashbench
