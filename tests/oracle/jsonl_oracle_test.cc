// The jsonl oracle: every line of every matched file is one JSON value. A
// line cut short is torn, any other damage corrupt; too few lines lost-acked
// (the run exited 0) or lost-unacked.
#include <gtest/gtest.h>

#include "tests/oracle/oracle_fixtures.h"

namespace crashbench {
namespace {

using namespace oracle_testing;  // NOLINT: test helpers
using testing::ScratchDir;

std::string Row(int i) { return "{\"row\":" + std::to_string(i) + ",\"v\":\"abc\"}"; }
std::string Rows(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += Row(i) + "\n";
  return s;
}

TEST(JsonlOracle, CleanLinesHaveNoAnomalies) {
  ScratchDir out;
  Put(out, "part-0.jsonl", Rows(0, 5));
  Put(out, "part-1.jsonl", Rows(5, 8) + Row(8) + "\r\n" + Row(9));  // CRLF; a last line without \n
  Put(out, "empty.jsonl", "");
  OracleReport r = Judge(FilesSpec(OracleKind::kJsonl, {"*.jsonl"}, 10), InputFor(out));
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});
  EXPECT_EQ(r.records_visible, 10);
}

TEST(JsonlOracle, LastLineCutShortIsTornAndTheRestCounts) {
  ScratchDir out;
  const std::string head = Rows(0, 3);
  Put(out, "out.jsonl", head + Row(3).substr(0, 9));
  OracleReport r = Judge(FilesSpec(OracleKind::kJsonl, {"out.jsonl"}), InputFor(out));
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}}));
  const Anomaly& a = r.anomalies[0];
  EXPECT_EQ(a.offset, static_cast<long long>(head.size()));
  EXPECT_EQ(a.line, 4);
  EXPECT_EQ(a.end, static_cast<long long>(head.size() + 9));
  EXPECT_EQ(a.excerpt, "{\"row\":3,");
  EXPECT_EQ(a.detail, "line 4 is cut short after 9 bytes: the file ends inside it");
  EXPECT_EQ(r.records_visible, 3);
}

TEST(JsonlOracle, CutRecordThenAnotherWritersLineIsCorrupt) {
  // Writer A killed mid-record, writer B appends: the two share one line.
  ScratchDir out;
  const std::string line = Row(1).substr(0, 12) + Row(2);
  const std::string bytes = Rows(0, 1) + line + "\n" + Rows(3, 4);
  Put(out, "out.jsonl", bytes);
  OracleReport r = Judge(FilesSpec(OracleKind::kJsonl, {"out.jsonl"}, 4), InputFor(out));
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}, {"lost-acked", 1}}));
  const Anomaly a = OfKind(r, AnomalyKind::kCorrupt)[0];
  EXPECT_EQ(a.line, 2);
  EXPECT_EQ(a.offset, static_cast<long long>(Rows(0, 1).size() + 12));  // where B's bytes begin
  EXPECT_EQ(a.end, static_cast<long long>(Rows(0, 1).size() + line.size()));
  EXPECT_NE(a.detail.find("invalid JSON at line 2, column 13"), std::string::npos) << a.detail;
  EXPECT_EQ(OfKind(r, AnomalyKind::kLostAcked)[0].detail,
            "4 lines expected, 2 valid, 1 damaged (reported on their own): 1 more missing, and the "
            "run exited 0");
}

TEST(JsonlOracle, CutLineEndedByANewlineIsTorn) {
  ScratchDir out;
  Put(out, "out.jsonl", Rows(0, 1) + Row(1).substr(0, 6) + "\n" + Rows(2, 3));
  OracleReport r = Judge(FilesSpec(OracleKind::kJsonl, {"out.jsonl"}), InputFor(out));
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}}));
  EXPECT_EQ(r.anomalies[0].detail, "line 2 is cut short after 6 bytes, then the line ends");
  EXPECT_EQ(r.records_visible, 2);
}

TEST(JsonlOracle, EmptyLineIsCorrupt) {
  ScratchDir out;
  Put(out, "out.jsonl", Rows(0, 1) + "\n" + Rows(1, 2) + "  \n");
  OracleReport r = Judge(FilesSpec(OracleKind::kJsonl, {"out.jsonl"}), InputFor(out));
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 2}}));
  EXPECT_EQ(r.anomalies[0].line, 2);
  EXPECT_EQ(r.anomalies[0].detail,
            "an empty line: a line-by-line reader's json.loads raises on it");
  EXPECT_EQ(r.anomalies[1].line, 4);
}

TEST(JsonlOracle, TwoValuesOnOneLineAreCorrupt) {
  ScratchDir out;
  Put(out, "out.jsonl", Row(0) + Row(1) + "\n");
  OracleReport r = Judge(FilesSpec(OracleKind::kJsonl, {"out.jsonl"}), InputFor(out));
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  EXPECT_EQ(r.anomalies[0].offset, static_cast<long long>(Row(0).size()));
}

TEST(JsonlOracle, TooFewLinesIsLostAckedOrUnacked) {
  ScratchDir out;
  Put(out, "out.jsonl", Rows(0, 3));
  OracleReport acked = Judge(FilesSpec(OracleKind::kJsonl, {"out.jsonl"}, 5), InputFor(out, true));
  ASSERT_EQ(CountAnomalies(acked.anomalies), (AnomalyCounts{{"lost-acked", 1}}));
  EXPECT_EQ(acked.anomalies[0].detail,
            "5 lines expected, 3 valid: 2 more missing, and the run exited 0");
  OracleReport unacked =
      Judge(FilesSpec(OracleKind::kJsonl, {"out.jsonl"}, 5), InputFor(out, false));
  ASSERT_EQ(CountAnomalies(unacked.anomalies), (AnomalyCounts{{"lost-unacked", 1}}));
  EXPECT_EQ(unacked.anomalies[0].detail,
            "5 lines expected, 3 valid: 2 more missing (the run did not exit 0)");
  EXPECT_EQ(CountViolations(unacked.anomalies), 0);
}

TEST(JsonlOracle, AMissingNamedFileStandsForItsLines) {
  ScratchDir out;
  Put(out, "a.jsonl", Rows(0, 2));
  OracleReport r = Judge(FilesSpec(OracleKind::kJsonl, {"a.jsonl", "b.jsonl"}, 4), InputFor(out));
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"lost-acked", 1}}));
  EXPECT_EQ(r.anomalies[0].file, "b.jsonl");
}

TEST(JsonlOracle, DoubleStarGlobsReachSubdirectoriesAndTheRestIsStray) {
  ScratchDir out;
  Put(out, "2024/01/a.jsonl", Rows(0, 2));
  Put(out, "2024/02/b.jsonl", Rows(2, 4));
  Put(out, "2024/02/.b.jsonl.tmp", Row(5).substr(0, 3));
  Put(out, "_SUCCESS", "");
  OracleReport r = Judge(FilesSpec(OracleKind::kJsonl, {"**/*.jsonl"}, 4), InputFor(out));
  EXPECT_EQ(CountAnomalies(r.anomalies),
            (AnomalyCounts{{"orphan-temp", 1}, {"unexpected-file", 1}}));
  EXPECT_EQ(OfKind(r, AnomalyKind::kOrphanTemp)[0].file, "2024/02/.b.jsonl.tmp");
  EXPECT_EQ(r.records_visible, 4);
}

}  // namespace
}  // namespace crashbench
