// Reassembly of interleaved writes in the shared layout: properties over
// simulated writers, the real shared-handle output they grew from, and one
// test for each ambiguity the reassembly has to resolve.
//
// The simulated writers share one O_APPEND file through their own stdio
// buffers (the shared-handle and naive strategies): each writer appends its
// records to a B-byte buffer, a full buffer is one write() of exactly B bytes
// (a record that does not fit is split across two writes, as stdio does), the
// writes of all writers land in a seeded random order, and at the end each
// writer writes what is left. Every record's bytes are then in the file, in
// order per writer, cut at arbitrary bytes: the verifier must find each one
// visible or put it back together (interleaved), and never call these bytes
// corrupt or torn.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness/base/crc32c.h"
#include "harness/contract/record.h"
#include "harness/verify/verifier.h"
#include "harness/verify/verifier_internal.h"

namespace crashbench {
namespace {

struct Simulated {
  std::string bytes;
  int writers = 0;
  size_t buffer = 0;
  long long tasks = 0;
  long long records_per_task = 0;
  long long records_in_file = 0;  // records whose bytes all reached the file
  std::set<long long> acked;      // tasks whose records all reached the file
  int most_writes_in_a_piece = 0;
};

// The most writes whose bytes meet between two separators (newlines and the
// `{"` that starts a record), which is where reassembly has to find cuts.
int MostWritesInAPiece(const std::string& bytes, const std::vector<size_t>& write_starts) {
  std::vector<bool> starts(bytes.size() + 1, false);
  for (size_t w : write_starts) starts[w] = true;
  int most = 1, writes = 1;
  for (size_t i = 0; i < bytes.size(); ++i) {
    bool separator = (i > 0 && bytes[i - 1] == '\n') || bytes.compare(i, 2, "{\"") == 0;
    writes = separator ? 1 : writes + (starts[i] ? 1 : 0);
    most = std::max(most, writes);
  }
  return most;
}

// kill_one: one writer is killed at a random byte of its output; what it had
// not written yet (its buffer included) never reaches the file.
Simulated Simulate(uint64_t seed, bool kill_one) {
  std::mt19937_64 rng(seed);
  auto uniform = [&rng](long long lo, long long hi) {
    return std::uniform_int_distribution<long long>(lo, hi)(rng);
  };
  Simulated s;
  s.writers = static_cast<int>(uniform(2, 4));
  const size_t kBuffers[] = {512, 1024, 4096};
  s.buffer = kBuffers[uniform(0, 2)];
  s.records_per_task = 8;
  s.tasks = uniform(2, 6) * s.writers;

  struct Writer {
    std::string out;
    std::vector<std::pair<long long, size_t>> ends;  // (task, end offset) of each record
    size_t flushed = 0;                              // bytes that reach the file
  };
  std::vector<Writer> w(static_cast<size_t>(s.writers));
  for (long long t = 0; t < s.tasks; ++t) {
    Writer& wr = w[static_cast<size_t>(t % s.writers)];
    for (long long seq = 0; seq < s.records_per_task; ++seq) {
      size_t size = static_cast<size_t>(uniform(50, 600));
      wr.out += EncodeRecord(t, seq, s.records_per_task, MakePayload(seed, t, seq, size)) + "\n";
      wr.ends.emplace_back(t, wr.out.size());
    }
  }
  int killed = kill_one ? static_cast<int>(uniform(0, s.writers - 1)) : -1;
  for (int i = 0; i < s.writers; ++i) {
    Writer& wr = w[static_cast<size_t>(i)];
    wr.flushed = wr.out.size();
    if (i == killed) {
      size_t at = static_cast<size_t>(uniform(0, static_cast<long long>(wr.out.size())));
      wr.flushed = at / s.buffer * s.buffer;  // only full buffers were written
    }
  }
  // The writes, in a random order that keeps each writer's own order.
  std::vector<size_t> next(w.size(), 0), write_starts;
  for (;;) {
    std::vector<size_t> ready;
    for (size_t i = 0; i < w.size(); ++i)
      if (next[i] < w[i].flushed) ready.push_back(i);
    if (ready.empty()) break;
    size_t i = ready[static_cast<size_t>(uniform(0, static_cast<long long>(ready.size()) - 1))];
    size_t n = std::min(s.buffer, w[i].flushed - next[i]);
    write_starts.push_back(s.bytes.size());
    s.bytes += w[i].out.substr(next[i], n);
    next[i] += n;
  }
  std::set<long long> incomplete;
  for (const Writer& wr : w) {
    for (const auto& [task, end] : wr.ends) {
      if (end <= wr.flushed) {
        ++s.records_in_file;
      } else {
        incomplete.insert(task);
      }
    }
  }
  for (long long t = 0; t < s.tasks; ++t)
    if (!incomplete.count(t)) s.acked.insert(t);
  s.most_writes_in_a_piece = MostWritesInAPiece(s.bytes, write_starts);
  return s;
}

VerifyReport Verify(const std::string& bytes, long long tasks, long long records_per_task,
                    const std::set<long long>& acked) {
  VerifyOptions o;
  o.layout = Layout::kShared;
  o.tasks = tasks;
  o.records_per_task = records_per_task;
  o.acked = acked;
  return VerifyFiles({FileContents{"records.jsonl", bytes}}, {}, o);
}

long long Count(const VerifyReport& r, const std::string& kind) {
  AnomalyCounts counts = CountAnomalies(r.anomalies);
  auto it = counts.find(kind);
  return it == counts.end() ? 0 : it->second;
}

// What a failing case looks like, to reproduce it.
std::string Describe(uint64_t seed, const Simulated& s, const VerifyReport& r) {
  std::ostringstream os;
  os << "seed " << seed << ": " << s.writers << " writers, " << s.buffer << "-byte buffers, "
     << s.bytes.size() << " bytes, " << s.records_in_file << " records in the file, "
     << r.records_visible << " visible";
  int shown = 0;
  for (const Anomaly& a : r.anomalies) {
    if (a.kind == AnomalyKind::kInterleaved || shown++ >= 5) continue;
    os << "\n  " << AnomalyName(a.kind) << " @" << a.offset << " line " << a.line << " task "
       << a.task << " seq " << a.seq << ": " << a.detail << " | " << a.excerpt;
  }
  return os.str();
}

// The cases the generator gives up on. Records longer than a writer's buffer
// hold whole writes of their own, and with three or more writers the bytes of
// four or more writes can meet between two separators: X's head, a whole
// write of Y, a whole write of X, Y's tail. Putting Y back together then
// takes a whole write from between two cuts nothing marks, plus the cut
// before its tail: three cuts that Y's crc alone must place, among some L^3 =
// 2e8 choices for L = 600 payload bytes, so a wrong split passes the 32-bit
// crc a few times in a hundred. Only X's and Y's crcs together decide, and
// the verifier settles one record at a time, so it leaves such a stretch
// unexplained (torn, corrupt) rather than guess (see verifier_reassembly.cc
// and RecordsInterruptingEachOtherWithWholeWritesAreNotGuessed below). Such
// layouts occur only with 512-byte buffers here, in about 1 case in 10 of
// those; all others are kept.
constexpr int kMostWritesReassembled = 3;
constexpr int kCases = 200;

// Runs `check` on kCases simulated cases within the limit above.
template <typename Check>
void ForCases(uint64_t first_seed, bool kill_one, Check check) {
  int kept = 0, left_out = 0;
  for (uint64_t seed = first_seed; kept < kCases; ++seed) {
    Simulated s = Simulate(seed, kill_one);
    if (s.most_writes_in_a_piece > kMostWritesReassembled) {
      ++left_out;
      continue;
    }
    ++kept;
    VerifyReport r = Verify(s.bytes, s.tasks, s.records_per_task, s.acked);
    SCOPED_TRACE(Describe(seed, s, r));
    check(s, r);
    if (::testing::Test::HasFailure()) return;  // one case in full is enough to debug
  }
  EXPECT_LT(left_out, kCases / 20) << "the generator left out too many cases";
}

TEST(VerifierProperty, BufferedWritersInterleavedAtAnyByteAreFullyReassembled) {
  long long interleaved_total = 0;
  ForCases(1, /*kill_one=*/false, [&](const Simulated& s, const VerifyReport& r) {
    long long interleaved = Count(r, "interleaved");
    interleaved_total += interleaved;
    EXPECT_EQ(Count(r, "corrupt"), 0);
    EXPECT_EQ(Count(r, "torn"), 0);
    EXPECT_EQ(Count(r, "lost-acked"), 0);
    EXPECT_EQ(Count(r, "duplicate"), 0);
    EXPECT_EQ(r.records_visible + interleaved, s.records_in_file);
  });
  EXPECT_GT(interleaved_total, kCases);  // the cases do exercise reassembly
}

TEST(VerifierProperty, KilledWriterLeavesAtMostOneTornRecord) {
  ForCases(100001, /*kill_one=*/true, [](const Simulated& s, const VerifyReport& r) {
    EXPECT_EQ(Count(r, "corrupt"), 0);
    EXPECT_EQ(Count(r, "duplicate"), 0);
    EXPECT_LE(Count(r, "torn"), 1);
    // Every record whose bytes all reached the file is found, and so is every
    // task whose records all did.
    EXPECT_EQ(Count(r, "lost-acked"), 0);
    EXPECT_EQ(r.records_visible + Count(r, "interleaved"), s.records_in_file);
  });
}

// ---- the real output, and the ambiguities one at a time ---------------------

std::string ReadTestData(const std::string& name) {
  std::ifstream in(std::string(CRASHBENCH_SOURCE_DIR) + "/tests/verify/testdata/" + name,
                   std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Output of the shared-handle strategy with no fault: 4 workers, 64 tasks of
// 16 records, 4096-byte stdio buffers. Its write boundaries cut record heads
// inside their payload and glue other records' tails to them, which once came
// out as corrupt (a lone tail fragment; a glued head and tail that parse as a
// complete record with a bad crc).
TEST(VerifierReassembly, SharedHandleOutputIsVisibleOrInterleavedOnly) {
  std::set<long long> all;
  for (long long t = 0; t < 64; ++t) all.insert(t);
  for (const char* name : {"shared-handle-a.jsonl", "shared-handle-b.jsonl"}) {
    SCOPED_TRACE(name);
    std::string bytes = ReadTestData(name);
    ASSERT_EQ(bytes.size(), 321760u);
    auto start = std::chrono::steady_clock::now();
    VerifyReport r = Verify(bytes, 64, 16, all);
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    long long interleaved = Count(r, "interleaved");
    EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"interleaved", interleaved}}));
    EXPECT_EQ(r.records_visible + interleaved, 64 * 16);
    EXPECT_LT(ms, 1000) << "quadratic search?";  // about 10 ms; generous for loaded machines
    std::cout << name << ": verified in " << ms << " ms\n";
  }
}

constexpr uint64_t kSeed = 7;
std::string Rec(long long task, long long seq, size_t payload_bytes = 32) {
  return EncodeRecord(task, seq, 1, MakePayload(kSeed, task, seq, payload_bytes));
}
std::string Line(long long task, size_t payload_bytes = 32) {
  return Rec(task, 0, payload_bytes) + "\n";
}
size_t InPayload(const std::string& rec, size_t at) { return rec.find("\"payload\":\"") + 11 + at; }

// Writer B's head, then writer A's head glued to B's tail: a complete record
// by syntax, with A's task and seq and B's crc. A's tail comes alone later.
std::string GluedHeadAndTail() {
  std::string a = Rec(0, 0, 200), b = Rec(1, 0, 200);
  size_t ca = InPayload(a, 80), cb = InPayload(b, 120);
  return Line(2) + b.substr(0, cb) + Line(3) + a.substr(0, ca) + b.substr(cb) + "\n" + Line(4) +
         a.substr(ca) + "\n";
}

TEST(VerifierReassembly, CompleteLookingRecordWithBadCrcIsTwoRecordsInterleaved) {
  VerifyReport r = Verify(GluedHeadAndTail(), 5, 1, {0, 1, 2, 3, 4});
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"interleaved", 2}}));
  EXPECT_EQ(r.records_visible, 3);
}

TEST(VerifierReassembly, FlippedByteStaysCorruptAmongInterleavedRecords) {
  std::string bad = Rec(5, 0);
  char& c = bad[InPayload(bad, 4)];
  c = c == 'A' ? 'B' : 'A';  // on its own line, next to open heads: no split may fix it
  VerifyReport r = Verify(GluedHeadAndTail() + bad + "\n", 6, 1, {0, 1, 2, 3, 4, 5});
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"interleaved", 2}, {"corrupt", 1}}));
  for (const Anomaly& a : r.anomalies) {
    if (a.kind == AnomalyKind::kCorrupt) {
      EXPECT_EQ(a.detail, "crc does not match");
    }
  }
}

TEST(VerifierReassembly, HeadWithNoTailAnywhereStaysTorn) {
  std::string bytes = GluedHeadAndTail();
  bytes = bytes.substr(0, bytes.rfind(Line(4)) + Line(4).size());  // A's tail never written
  VerifyReport r = Verify(bytes, 5, 1, {0, 1, 2, 3, 4});
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"interleaved", 1}, {"torn", 1}}));
  EXPECT_EQ(r.records_visible, 3);
}

// Records longer than the 256-byte writes: Y's head, X's head, a whole write
// of Y (in the middle of X's record, which it interrupts), X's tail, Y's tail.
TEST(VerifierReassembly, RecordInterruptedByAWholeWriteOfAnotherIsReassembled) {
  std::string x = Line(0, 400), y = Line(1, 600);
  ASSERT_GT(y.size(), 512u);
  std::string bytes =
      y.substr(0, 256) + x.substr(0, 256) + y.substr(256, 256) + x.substr(256) + y.substr(512);
  VerifyReport r = Verify(bytes, 2, 1, {0, 1});
  EXPECT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"interleaved", 2}}));
}

// The limit of the generator above: X and Y each in three writes, taking
// turns. Reported as damage; no record is made up.
TEST(VerifierReassembly, RecordsInterruptingEachOtherWithWholeWritesAreNotGuessed) {
  std::string x = Line(0, 600), y = Line(1, 600);
  std::string bytes = y.substr(0, 256) + x.substr(0, 256) + y.substr(256, 256) +
                      x.substr(256, 256) + y.substr(512) + x.substr(512);
  VerifyReport r = Verify(bytes, 2, 1, {0, 1});
  EXPECT_EQ(r.records_visible, 0);
  EXPECT_EQ(Count(r, "interleaved"), 0);
  EXPECT_GT(Count(r, "torn") + Count(r, "corrupt"), 0);
}

// Heads cut inside the literal every record starts with: writer 1 left `{"`,
// writer 2 `{"tas`. Writer 1's `task":5,...}` completes either one into the
// same bytes; taking `{"tas` would leave writer 2's `k":2,...}` no head.
TEST(VerifierReassembly, HeadsCutInsideTheSameLiteralKeepTheirOwnTails) {
  std::string r5 = Rec(5, 0), r2 = Rec(2, 0), r3 = Rec(3, 0, 100);
  size_t c3 = InPayload(r3, 40);
  std::string bytes = Line(7) + r5.substr(0, 2) + Line(8) + r2.substr(0, 5) + Line(9) +
                      r3.substr(0, c3) + r5.substr(2) + "\n" + r2.substr(5) + "\n" + r3.substr(c3) +
                      "\n";
  VerifyReport r = Verify(bytes, 10, 1, {2, 3, 5, 7, 8, 9});
  EXPECT_EQ(Count(r, "interleaved"), 3);
  EXPECT_EQ(Count(r, "corrupt") + Count(r, "torn"), 0);
}

TEST(VerifierReassembly, CrcRunsBackwards) {
  std::string a = "3:1:16:", b = MakePayload(kSeed, 3, 1, 300);
  uint32_t whole = Crc32c((a + b).data(), a.size() + b.size());
  EXPECT_EQ(verifier_internal::CrcBefore(whole, b), Crc32c(a.data(), a.size()));
}

}  // namespace
}  // namespace crashbench
