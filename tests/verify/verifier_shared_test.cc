// The verifier on damaged shared-layout outputs (records.jsonl) built byte by
// byte: each test is one way writers break a file, and says exactly what a
// reader would have seen.
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

// ---- shared layout -------------------------------------------------------

TEST(VerifierShared, CleanFileHasNoAnomalies) {
  std::string bytes = TaskLines(0, 4) + TaskLines(1, 4) + TaskLines(2, 4);
  VerifyReport r = VerifyShared(bytes, Shared(3, 4, {0, 1, 2}));
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});
  EXPECT_EQ(r.records_visible, 12);
}

TEST(VerifierShared, CleanFileWithoutWorkloadSizesTakesCountsFromRecords) {
  VerifyReport r = VerifyShared(TaskLines(0, 3) + TaskLines(5, 2), Shared({}, {}, {0, 5}));
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});
  EXPECT_EQ(r.records_visible, 5);
}

TEST(VerifierShared, CrLfLineEndingsAreClean) {
  std::string bytes = Rec(0, 0, 2) + "\r\n" + Rec(0, 1, 2) + "\r\n";
  VerifyReport r = VerifyShared(bytes, Shared(1, 2, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});
  EXPECT_EQ(r.records_visible, 2);
}

TEST(VerifierShared, RecordAtEofWithoutNewlineIsVisible) {
  std::string bytes = Line(0, 0, 2) + Rec(0, 1, 2);
  VerifyReport r = VerifyShared(bytes, Shared(1, 2, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});
  EXPECT_EQ(r.records_visible, 2);
}

TEST(VerifierShared, TornThenAppended) {
  // Lock holder for task 1 killed mid-record; tasks 2 then take the lock and append.
  std::string before = TaskLines(0, 4) + Line(1, 0, 4);
  std::string torn = Rec(1, 1, 4).substr(0, 50);
  std::string bytes = before + torn + TaskLines(2, 4);
  VerifyReport r = VerifyShared(bytes, Shared(3, 4, {0, 2}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}, {"partial-visible", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kTorn).at(0), "records.jsonl", before.size(), 6, 1, 1);
  // The torn bytes stop where task 2's record begins, on the same line.
  EXPECT_EQ(OfKind(r, AnomalyKind::kTorn).at(0).end,
            static_cast<long long>(before.size() + torn.size()));
  // Task 1 is unacknowledged and shows record 0 (line 5) and a torn record 1.
  ExpectAt(OfKind(r, AnomalyKind::kPartialVisible).at(0), "records.jsonl", TaskLines(0, 4).size(),
           5, 1, -1);
  EXPECT_EQ(r.records_visible, 4 + 1 + 4);
}

TEST(VerifierShared, TornRecordAtEof) {
  std::string bytes = Line(0, 0, 2) + Rec(0, 1, 2).substr(0, 30);
  VerifyReport r = VerifyShared(bytes, Shared(1, 2, {}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}, {"partial-visible", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kTorn).at(0), "records.jsonl", Line(0, 0, 2).size(), 2, 0, 1);
  EXPECT_EQ(OfKind(r, AnomalyKind::kTorn).at(0).end, static_cast<long long>(bytes.size()));
  EXPECT_EQ(r.records_visible, 1);
}

TEST(VerifierShared, TornRecordOfAckedTaskIsNotAlsoLost) {
  // The acknowledgement says the record is committed; the damage is reported once, as torn.
  std::string bytes = Line(0, 0, 2) + Rec(0, 1, 2).substr(0, 40) + Line(1, 0, 1);
  VerifyReport r = VerifyShared(bytes, Shared(2, {}, {0, 1}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}}));
}

TEST(VerifierShared, TornBeforeItsSeqIsKnownLeavesTheRecordLost) {
  // Cut inside "seq": the task is known, the record is not, so it is also lost.
  std::string bytes = Line(0, 0, 2) + Rec(0, 1, 2).substr(0, 14) + Line(1, 0, 1);
  VerifyReport r = VerifyShared(bytes, Shared(2, 2, {0, 1}));
  EXPECT_EQ(CountAnomalies(r.anomalies),
            (AnomalyCounts{{"torn", 1}, {"lost-acked", 2}}));  // task 0 seq 1, task 1 seq 1
  ExpectAt(OfKind(r, AnomalyKind::kTorn).at(0), "records.jsonl", Line(0, 0, 2).size(), 2, 0, -1);
}

TEST(VerifierShared, InterleavedSplitByAFullLine) {
  // A's first half, then B's whole line, then A's second half.
  std::string a = Rec(0, 1, 2), b = Line(1, 0, 1);
  std::string before = Line(0, 0, 2);
  std::string bytes = before + a.substr(0, 45) + b + a.substr(45) + "\n";
  VerifyReport r = VerifyShared(bytes, Shared(2, {}, {0, 1}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"interleaved", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kInterleaved).at(0), "records.jsonl", before.size(), 2, 0, 1);
  EXPECT_EQ(r.records_visible, 2);  // A's record 0 and B
}

TEST(VerifierShared, InterleavedInThreePieces) {
  std::string a = Rec(0, 0, 1, 64);
  std::string bytes =
      a.substr(0, 30) + Line(1, 0, 1) + a.substr(30, 30) + Line(2, 0, 1) + a.substr(60) + "\n";
  // Lines: a[0:30]+B, a[30:60]+C, a[60:]: A's middle and end are the non-record starts of lines.
  VerifyReport r = VerifyShared(bytes, Shared(3, 1, {0, 1, 2}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"interleaved", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kInterleaved).at(0), "records.jsonl", 0, 1, 0, 0);
  EXPECT_EQ(r.records_visible, 2);
}

TEST(VerifierShared, HeadNamingAKeyTwiceIsInterleaved) {
  // A's start up to its "crc" key, then B from its "payload" key on: no
  // reassembly is possible (B's start is gone) but the line holds two records.
  std::string a = Rec(0, 0, 1), b = Rec(1, 0, 1);
  std::string bytes = a.substr(0, a.find("\"crc\"") + 8) + b.substr(b.find("\"payload\"")) + "\n";
  VerifyReport r = VerifyShared(bytes, Shared(2, 1, {0, 1}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"interleaved", 1}, {"lost-acked", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kInterleaved).at(0), "records.jsonl", 0, 1, 0, 0);
  ExpectAt(OfKind(r, AnomalyKind::kLostAcked).at(0), "records.jsonl", -1, -1, 1, 0);
}

TEST(VerifierShared, AbsurdRecordCountInTheDataIsNotEnumerated) {
  // A valid record claiming a billion siblings: without a workload size the
  // verifier does not list a billion lost records.
  VerifyReport r = VerifyShared(Line(0, 0, 1000000000), Shared({}, {}, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});
  EXPECT_EQ(r.records_visible, 1);
}

TEST(VerifierShared, DuplicatedLine) {
  std::string bytes = Line(0, 0, 2) + Line(0, 1, 2) + Line(0, 1, 2);
  VerifyReport r = VerifyShared(bytes, Shared(1, 2, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"duplicate", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kDuplicate).at(0), "records.jsonl", 2 * Line(0, 0, 2).size(), 3,
           0, 1);
  EXPECT_EQ(r.records_visible, 3);
}

TEST(VerifierShared, CrcMismatchIsCorrupt) {
  std::string bad = Rec(0, 1, 2);
  bad[bad.find("\"payload\":\"") + 11] ^= 1;  // flip a payload bit: still printable
  std::string bytes = Line(0, 0, 2) + bad + "\n";
  VerifyReport r = VerifyShared(bytes, Shared(1, 2, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kCorrupt).at(0), "records.jsonl", Line(0, 0, 2).size(), 2, 0, 1);
  EXPECT_EQ(r.records_visible, 1);
}

TEST(VerifierShared, RecordWithMissingFieldIsCorrupt) {
  std::string bytes = Line(0, 0, 2) + "{\"task\":0,\"seq\":1,\"payload\":\"x\"}\n";
  VerifyReport r = VerifyShared(bytes, Shared(1, 2, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kCorrupt).at(0), "records.jsonl", Line(0, 0, 2).size(), 2, 0, 1);
}

TEST(VerifierShared, UnexplainedBytesAreCorrupt) {
  std::string bytes = Line(0, 0, 1) + "garbage with no record\n" + Line(1, 0, 1);
  VerifyReport r = VerifyShared(bytes, Shared(2, 1, {0, 1}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kCorrupt).at(0), "records.jsonl", Line(0, 0, 1).size(), 2, -1,
           -1);
  EXPECT_EQ(OfKind(r, AnomalyKind::kCorrupt).at(0).excerpt.substr(0, 12), "garbage with");
}

TEST(VerifierShared, ValidRecordFollowedByJunkOnItsLine) {
  std::string rec = Rec(0, 0, 1);
  VerifyReport r = VerifyShared(rec + "xyz\n", Shared(1, 1, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kCorrupt).at(0), "records.jsonl", rec.size(), 1, -1, -1);
  EXPECT_EQ(r.records_visible, 1);
}

TEST(VerifierShared, BlankLinesAreIgnored) {
  VerifyReport r = VerifyShared("\n" + Line(0, 0, 1) + "  \n\n", Shared(1, 1, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});
}

TEST(VerifierShared, StdioChunksTwoPiecesEachAreReassembled) {
  // Two writers, one 72-byte line each, flushed in 40-byte chunks: A0 B0 A1 B1.
  std::string a = Line(0, 0, 1, 16), b = Line(1, 0, 1, 16);
  ASSERT_EQ(a.size(), 72u);
  std::string bytes = InterleaveChunks({a, b}, 40);
  VerifyReport r = VerifyShared(bytes, Shared(2, 1, {0, 1}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"interleaved", 2}}));
  std::vector<Anomaly> found = OfKind(r, AnomalyKind::kInterleaved);
  ExpectAt(found.at(0), "records.jsonl", 0, 1, 0, 0);
  ExpectAt(found.at(1), "records.jsonl", 40, 1, 1, 0);
  EXPECT_EQ(r.records_visible, 0);
}

TEST(VerifierShared, StdioChunksOfLongRecordsAreReportedAsInterleaved) {
  // Two records of 156 bytes a writer, in 40-byte chunks taken turn about:
  // every record is in four pieces, and even the record heads are mixed
  // ({"ta from one writer, sk":0 from the other). Between two separators the
  // two writers' whole chunks take turns, which reassembly does not untangle
  // (one crc cannot place three cuts; see verifier_reassembly.cc), so this is
  // reported as damage of every kind it can prove, and nothing is taken as a
  // good record.
  std::string w0 = TaskLines(0, 2, 100), w1 = TaskLines(1, 2, 100);
  ASSERT_EQ(w0.size(), 312u);
  std::string bytes = InterleaveChunks({w0, w1}, 40);
  VerifyReport r = VerifyShared(bytes, Shared(2, 2, {}));
  EXPECT_EQ(
      CountAnomalies(r.anomalies),
      (AnomalyCounts{{"interleaved", 1}, {"torn", 1}, {"corrupt", 3}, {"partial-visible", 2}}));
  EXPECT_EQ(r.records_visible, 0);
  size_t line2 = bytes.find('\n') + 1, line3 = bytes.find('\n', line2) + 1,
         line4 = bytes.find('\n', line3) + 1;
  ASSERT_EQ(r.anomalies.size(), 7u);
  // Line 1: task 0's first chunk, cut short by task 1's first chunk...
  ExpectAt(r.anomalies[0], "records.jsonl", 0, 1, 0, 0);
  EXPECT_EQ(r.anomalies[0].kind, AnomalyKind::kTorn);
  // ...which runs on through task 0's chunks to task 0's newline: a bad crc.
  ExpectAt(r.anomalies[1], "records.jsonl", 40, 1, 1, 0);
  EXPECT_EQ(r.anomalies[1].kind, AnomalyKind::kCorrupt);
  // Line 2: task 0's next {"ta glued to the end of task 1's record 0.
  ExpectAt(r.anomalies[2], "records.jsonl", line2, 2, -1, -1);
  EXPECT_EQ(r.anomalies[2].kind, AnomalyKind::kCorrupt);
  // Line 3 names "crc" twice: the bytes of two records, mixed.
  ExpectAt(r.anomalies[3], "records.jsonl", line3, 3, 0, 1);
  EXPECT_EQ(r.anomalies[3].kind, AnomalyKind::kInterleaved);
  // Line 4: the end of a record with no start.
  ExpectAt(r.anomalies[4], "records.jsonl", line4, 4, -1, -1);
  EXPECT_EQ(r.anomalies[4].kind, AnomalyKind::kCorrupt);
}

TEST(VerifierShared, BlockBufferedWritersAreReassembledAcrossWriteBoundaries) {
  // Four tasks of 16 records written with 4096-byte buffers, each write()
  // atomic: every task's first write ends inside its record 13, and the next
  // task's block lands before the rest of it.
  std::vector<std::string> writers;
  for (long long t = 0; t < 4; ++t) writers.push_back(TaskLines(t, 16, 256));
  std::string bytes = InterleaveChunks(writers, 4096);
  VerifyReport r = VerifyShared(bytes, Shared(4, 16, {0, 1, 2, 3}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"interleaved", 4}}));
  std::vector<Anomaly> found = OfKind(r, AnomalyKind::kInterleaved);
  ASSERT_EQ(found.size(), 4u);
  for (long long t = 0; t < 4; ++t) {
    size_t split = writers[t].rfind('\n', 4095) + 1;  // start of the record the write cut
    ASSERT_EQ(writers[t].substr(0, split).find("\"seq\":13,"), std::string::npos);
    size_t offset = 4096 * t + split;
    ExpectAt(found[t], "records.jsonl", offset, LineAt(bytes, offset), t, 13);
  }
  EXPECT_EQ(r.records_visible, 4 * 15);
}

TEST(VerifierShared, LostAcked) {
  std::string bytes = Line(0, 0, 3) + Line(0, 2, 3);
  VerifyReport r = VerifyShared(bytes, Shared(1, 3, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"lost-acked", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kLostAcked).at(0), "records.jsonl", -1, -1, 0, 1);
}

TEST(VerifierShared, LostAckedTaskWithNoTraceAndNoCount) {
  VerifyReport r = VerifyShared(Line(0, 0, 1), Shared({}, {}, {0, 4}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"lost-acked", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kLostAcked).at(0), "records.jsonl", -1, -1, 4, -1);
}

TEST(VerifierShared, LostUnackedIsNotAViolation) {
  VerifyReport r = VerifyShared(TaskLines(0, 2), Shared(3, 2, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"lost-unacked", 2}}));
  EXPECT_EQ(CountViolations(r.anomalies), 0);
  ExpectAt(OfKind(r, AnomalyKind::kLostUnacked).at(1), "records.jsonl", -1, -1, 2, -1);
}

TEST(VerifierShared, PartialVisible) {
  std::string first = TaskLines(0, 4);
  std::string bytes = first + Line(1, 0, 4) + Line(1, 1, 4);
  VerifyReport r = VerifyShared(bytes, Shared(2, 4, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"partial-visible", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kPartialVisible).at(0), "records.jsonl", first.size(), 5, 1, -1);
}

TEST(VerifierShared, CompleteTaskWhoseAckWasLostIsNoViolation) {
  VerifyReport r = VerifyShared(TaskLines(0, 3) + TaskLines(1, 3), Shared(2, 3, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});
}

TEST(VerifierShared, MissingFileLosesEveryTask) {
  VerifyReport r = VerifyFiles({}, {}, Shared(2, 2, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"lost-acked", 2}, {"lost-unacked", 1}}));
  EXPECT_EQ(r.records_visible, 0);
}

TEST(VerifierShared, TaskOutsideTheWorkloadIsCorrupt) {
  std::string bytes = Line(0, 0, 1) + Line(9, 0, 1);
  VerifyReport r = VerifyShared(bytes, Shared(1, 1, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"corrupt", 1}}));
  ExpectAt(OfKind(r, AnomalyKind::kCorrupt).at(0), "records.jsonl", Line(0, 0, 1).size(), 2, 9, 0);
}

TEST(VerifierShared, OrphanTempIsReportedButNotAViolation) {
  VerifyReport r = VerifyFiles({FileContents{"records.jsonl", Line(0, 0, 1)}},
                               {".records.jsonl.tmp"}, Shared(1, 1, {0}));
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"orphan-temp", 1}}));
  EXPECT_EQ(CountViolations(r.anomalies), 0);
  EXPECT_EQ(r.anomalies.at(0).file, ".records.jsonl.tmp");
}

}  // namespace
}  // namespace crashbench
