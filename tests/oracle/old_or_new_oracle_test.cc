// The old-or-new oracle: each matched file holds exactly its contents before
// the run or exactly those a fault-free run leaves. Anything else is torn and
// the detail says how much of which state it holds; a file both states hold
// that is gone is lost-acked; a file neither holds is stray.
#include <gtest/gtest.h>

#include "tests/oracle/oracle_fixtures.h"

namespace crashbench {
namespace {

using namespace oracle_testing;  // NOLINT: test helpers
using testing::ScratchDir;

std::string Numbers(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += std::to_string(i) + "\n";
  return s;
}

class OldOrNew : public ::testing::Test {
 protected:
  void SetUp() override {
    old_state_ = {{"data.txt", Numbers(100000, 100400)}, {"keep.cfg", "k=1\n"}};
    new_state_ = {{"data.txt", Numbers(1, 900)}, {"keep.cfg", "k=1\n"}, {"added.txt", "hi\n"}};
  }
  // exited_ok false: the run was killed, as most faulted runs are.
  OracleReport JudgeNow(std::vector<std::string> files = {"data.txt"}, bool exited_ok = false) {
    OracleInput in = InputFor(out_, exited_ok);
    in.old_state = &old_state_;
    in.new_state = &new_state_;
    return Judge(FilesSpec(OracleKind::kOldOrNew, std::move(files)), in);
  }
  const std::string& Old() { return old_state_["data.txt"]; }
  const std::string& New() { return new_state_["data.txt"]; }

  ScratchDir out_;
  DirSnapshot old_state_, new_state_;
};

TEST_F(OldOrNew, OldContentsAreAcceptable) {
  Put(out_, "data.txt", Old());
  Put(out_, "keep.cfg", "k=1\n");
  OracleReport r = JudgeNow({"*.txt"});
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});  // added.txt absent: its old state
  EXPECT_EQ(r.records_visible, 1);
}

TEST_F(OldOrNew, AfterARunThatExitedZeroTheOldStateIsLost) {
  // The run claimed success (exit 0) but left the old contents, and no added.txt.
  Put(out_, "data.txt", Old());
  Put(out_, "keep.cfg", "k=1\n");
  OracleReport r = JudgeNow({"*.txt", "*.cfg"}, /*exited_ok=*/true);
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"lost-acked", 2}}));
  EXPECT_EQ(r.anomalies[0].file, "data.txt");
  EXPECT_EQ(r.anomalies[0].detail, "the run exited 0, yet the file holds its old contents (" +
                                       std::to_string(Old().size()) +
                                       " bytes), not those of a fault-free run (" +
                                       std::to_string(New().size()) + " bytes)");
  EXPECT_EQ(r.anomalies[1].file, "added.txt");
  EXPECT_EQ(r.anomalies[1].detail,
            "the run exited 0, yet the file a fault-free run makes (3 bytes) is not there");
  EXPECT_EQ(r.records_visible, 1);  // keep.cfg: the same in both states
}

TEST_F(OldOrNew, NewContentsAreAcceptable) {
  Put(out_, "data.txt", New());
  Put(out_, "keep.cfg", "k=1\n");
  Put(out_, "added.txt", "hi\n");
  OracleReport r = JudgeNow({"*.txt"}, /*exited_ok=*/true);
  EXPECT_EQ(CountAnomalies(r.anomalies), AnomalyCounts{});
  EXPECT_EQ(r.records_visible, 2);
}

TEST_F(OldOrNew, EmptyFileIsTorn) {
  // cp opened the destination with O_TRUNC and was killed before its first write.
  Put(out_, "data.txt", "");
  OracleReport r = JudgeNow();
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}}));
  EXPECT_EQ(r.anomalies[0].detail,
            "neither the old nor the new contents: empty (this file 0 bytes, old " +
                std::to_string(Old().size()) + " bytes, new " + std::to_string(New().size()) +
                " bytes)");
  EXPECT_EQ(r.anomalies[0].offset, 0);
}

TEST_F(OldOrNew, PrefixOfTheNewContentsIsTornAndSaysHowMuch) {
  // cp --reflink=never killed after its first 128 KiB-or-less write.
  const std::string cut = New().substr(0, 1000);
  Put(out_, "data.txt", cut);
  OracleReport r = JudgeNow();
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}}));
  const Anomaly& a = r.anomalies[0];
  EXPECT_EQ(a.file, "data.txt");
  EXPECT_EQ(a.offset, 1000);
  EXPECT_EQ(a.line, 1 + static_cast<long long>(std::count(cut.begin(), cut.end(), '\n')));
  EXPECT_EQ(a.detail.rfind("neither the old nor the new contents: the first 1000 bytes of the new "
                           "contents, cut short (this file 1000 bytes",
                           0),
            0u)
      << a.detail;
  EXPECT_FALSE(a.excerpt.empty());
}

TEST_F(OldOrNew, NewHeadOverOldTailIsTorn) {
  // Overwritten in place without O_TRUNC, killed part way.
  const size_t n = 600;
  std::string now = New().substr(0, n) + Old().substr(n);
  Put(out_, "data.txt", now);
  OracleReport r = JudgeNow();
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}}));
  EXPECT_NE(r.anomalies[0].detail.find("the new contents' first 600 bytes, then the old contents' "
                                       "bytes 600.." +
                                       std::to_string(Old().size()) + ": overwritten in place"),
            std::string::npos)
      << r.anomalies[0].detail;
  EXPECT_EQ(r.anomalies[0].offset, 600);
}

TEST_F(OldOrNew, OtherBytesAreTornWithBothDivergencePoints) {
  std::string now = New();
  now[50] = 'X';
  Put(out_, "data.txt", now);
  OracleReport r = JudgeNow();
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"torn", 1}}));
  EXPECT_NE(r.anomalies[0].detail.find("differs from the new contents at byte 50 and from the old "
                                       "contents at byte 1"),
            std::string::npos)
      << r.anomalies[0].detail;
  EXPECT_EQ(r.anomalies[0].offset, 50);
  // The excerpt starts at the damaged line.
  EXPECT_EQ(r.anomalies[0].excerpt,
            EscapeExcerpt(std::string_view(now).substr(now.rfind('\n', 49) + 1)));
}

TEST_F(OldOrNew, FileBothStatesHoldIsLostWhenGone) {
  OracleReport r = JudgeNow({"*.txt", "keep.cfg"});
  ASSERT_EQ(CountAnomalies(r.anomalies), (AnomalyCounts{{"lost-acked", 2}}));
  EXPECT_EQ(r.anomalies[0].file, "data.txt");
  EXPECT_EQ(r.anomalies[1].file, "keep.cfg");
}

TEST_F(OldOrNew, SedTempFileIsAnOrphanTempAndTheFileIsUntouched) {
  // sed -i killed before its rename: the original intact, its temp file beside it.
  Put(out_, "data.txt", Old());
  Put(out_, "keep.cfg", "k=1\n");
  Put(out_, "sedX1b2Qz", New().substr(0, 300));
  Put(out_, "core.dump", "?");
  OracleReport r = JudgeNow();
  EXPECT_EQ(CountAnomalies(r.anomalies),
            (AnomalyCounts{{"orphan-temp", 1}, {"unexpected-file", 1}}));
  EXPECT_EQ(OfKind(r, AnomalyKind::kOrphanTemp)[0].file, "sedX1b2Qz");
  EXPECT_EQ(CountViolations(r.anomalies), 0);
}

TEST_F(OldOrNew, FilesNoGlobMatchesAreNotJudged) {
  Put(out_, "data.txt", New());
  Put(out_, "keep.cfg", "changed by hand\n");  // in both states, not asked for
  EXPECT_EQ(CountAnomalies(JudgeNow().anomalies), AnomalyCounts{});
  EXPECT_EQ(CountAnomalies(JudgeNow({"data.txt", "*.cfg"}).anomalies),
            (AnomalyCounts{{"torn", 1}}));
}

TEST_F(OldOrNew, WithoutItsStatesTheOracleCannotRun) {
  OracleInput in = InputFor(out_);
  Result<OracleReport> r = RunOracle(FilesSpec(OracleKind::kOldOrNew, {"data.txt"}), in);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("old-or-new needs the directory's old state"),
            std::string::npos);
}

TEST(SnapshotDirectory, HoldsEveryRegularFileByRelativePath) {
  ScratchDir dir;
  Put(dir, "a.txt", "A");
  Put(dir, "sub/deeper/b.bin", std::string("\0\x01\x02", 3));
  ASSERT_EQ(::symlink("a.txt", (dir.path() + "/link").c_str()), 0);
  Result<DirSnapshot> s = SnapshotDirectory(dir.path());
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(*s, (DirSnapshot{{"a.txt", "A"},
                             {"link", "A"},  // read through, as a reader would
                             {"sub/deeper/b.bin", std::string("\0\x01\x02", 3)}}));
  EXPECT_FALSE(SnapshotDirectory(dir.path() + "/missing").ok());
}

}  // namespace
}  // namespace crashbench
