// Each persistence model's rules on small logs: what it may drop, what it
// must keep, and the options it refuses.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "harness/persist/log_builder.h"
#include "harness/persist/model.h"
#include "tests/persist/strategy_logs.h"

namespace crashbench {
namespace {

std::unique_ptr<PersistenceModel> Model(const std::string& name, ModelOptions options = {}) {
  Result<std::unique_ptr<PersistenceModel>> m = MakePersistenceModel(name, options);
  EXPECT_TRUE(m.ok()) << m.status().message();
  return std::move(m.value());
}

// Every state of every tier at every cut.
void ForEachState(const OpLog& log, const PersistenceModel& model,
                  const std::function<void(const CutFacts&, const CrashState&)>& f) {
  for (int tier = 0; tier < model.tiers(); ++tier) {
    CutFacts facts(log);
    for (;;) {
      std::vector<CrashState> states;
      model.StatesAt(facts, tier, &states);
      for (const CrashState& s : states) f(facts, s);
      if (static_cast<size_t>(facts.cut()) == log.ops.size()) break;
      facts.Advance();
    }
  }
}

bool Drops(const CrashState& s, int op) {
  return std::binary_search(s.dropped.begin(), s.dropped.end(), op);
}

// create a, write a, create b, write b, fsync b, write a, rename a -> c
OpLog TwoFiles() {
  LogBuilder b{FsState{}};
  b.Open("a", O_WRONLY | O_CREAT);
  b.Append("a", "aaaa");
  b.Open("b", O_WRONLY | O_CREAT);
  b.Append("b", "bbbb");
  b.Fsync("b");
  b.Append("a", "AAAA");
  b.Rename("a", "c");
  return std::move(b).Finish();
}

TEST(Models, RegistryRefusesUnknownNamesAndOptions) {
  Result<std::unique_ptr<PersistenceModel>> m = MakePersistenceModel("ext3", {});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("prefix, lazyfs, posix-weak, ext4-ordered"),
            std::string::npos);
  m = MakePersistenceModel("ext4-ordered", {{"auto_da_alloc", "maybe"}});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("valid: on, off"), std::string::npos);
  m = MakePersistenceModel("lazyfs", {{"auto_da_alloc", "on"}});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("valid: none"), std::string::npos);
}

TEST(Models, PrefixNeverDrops) {
  ForEachState(TwoFiles(), *Model("prefix"), [](const CutFacts& f, const CrashState& s) {
    EXPECT_EQ(s.cut, f.cut());
    EXPECT_TRUE(s.dropped.empty());
    EXPECT_TRUE(s.partial.empty());
  });
}

TEST(Models, LazyfsDropsExactlyTheUnsyncedWrites) {
  const OpLog log = TwoFiles();
  int states = 0;
  ForEachState(log, *Model("lazyfs"), [&](const CutFacts& f, const CrashState& s) {
    ++states;
    for (int i = 0; i < f.cut(); ++i) {
      const Op& op = log.ops[static_cast<size_t>(i)];
      const bool synced = f.last_file_sync(op.file) > i;
      EXPECT_EQ(Drops(s, i), op.kind == OpKind::kWrite && !synced) << DescribeOp(log, i);
    }
  });
  EXPECT_EQ(states, static_cast<int>(log.ops.size()) + 1);  // one state a cut
}

TEST(Models, PosixWeakLeastDurableKeepsOnlyWhatFsyncOrdered) {
  const OpLog log = TwoFiles();
  CutFacts f(log);
  while (static_cast<size_t>(f.cut()) < log.ops.size()) f.Advance();
  std::vector<CrashState> states;
  Model("posix-weak")->StatesAt(f, 0, &states);
  ASSERT_EQ(states.size(), 2u);
  // b's data was fsynced; nothing made any name durable.
  EXPECT_EQ(states[1].dropped, (std::vector<int>{0, 1, 2, 5, 6}));
  // A directory fsync makes the names before it durable.
  LogBuilder b{FsState{}};
  b.Open("a", O_WRONLY | O_CREAT);
  b.Mkdir("sub");
  b.Open("sub/x", O_WRONLY | O_CREAT);
  b.FsyncDir("");
  OpLog dirsync = std::move(b).Finish();
  CutFacts g(dirsync);
  for (int i = 0; i < 4; ++i) g.Advance();
  EXPECT_EQ(g.unsynced_dir(), (std::vector<int>{2}));  // sub/x needs an fsync of sub
}

TEST(Models, PosixWeakProposesEachDirectoryOpAloneAndZerosAndGarbage) {
  const OpLog log = TwoFiles();
  CutFacts f(log);
  while (static_cast<size_t>(f.cut()) < log.ops.size()) f.Advance();
  auto m = Model("posix-weak");
  std::vector<CrashState> tier1, tier3;
  m->StatesAt(f, 1, &tier1);
  m->StatesAt(f, 3, &tier3);
  EXPECT_EQ(tier1.size(), 2u * 3u);  // create a, create b, rename: each alone present and missing
  ASSERT_EQ(tier3.size(), 2u);       // file a's last write (b has none unsynced)
  EXPECT_EQ(tier3[0].partial.at(0).kind, PartialWrite::kZeros);
  EXPECT_EQ(tier3[1].partial.at(0).kind, PartialWrite::kGarbage);
  EXPECT_EQ(tier3[0].partial.at(0).op, 5);
}

TEST(Models, Ext4KeepsMetadataInJournalOrderAndCommitsItAtAnyFsync) {
  persist_testing::Workload w;
  const OpLog log =
      persist_testing::LogOf([&](persist_testing::Calls& c) { AtomicRename(c, w, true, false); });
  int states = 0;
  ForEachState(log, *Model("ext4-ordered"), [&](const CutFacts& f, const CrashState& s) {
    ++states;
    bool dropped_meta = false;
    for (int i = 0; i < f.cut(); ++i) {
      const Op& op = log.ops[static_cast<size_t>(i)];
      if (!IsDirOp(op.kind) && op.kind != OpKind::kTruncate) continue;
      if (Drops(s, i)) {
        dropped_meta = true;
        EXPECT_GT(i, f.last_any_sync()) << "committed by an fsync: " << DescribeOp(log, i);
      } else {
        EXPECT_FALSE(dropped_meta) << "kept after a dropped one: " << DescribeOp(log, i);
      }
    }
    for (const PartialWrite& p : s.partial) EXPECT_EQ(p.kind, PartialWrite::kPrefix);
  });
  EXPECT_GT(states, 0);
}

// A file replaced by rename, no fsync: with auto_da_alloc the data before
// the rename is on disk whenever the rename is; without it, not.
TEST(Models, Ext4AutoDaAllocForcesTheDataOfARenameOverAnExistingFile) {
  FsState initial;
  initial.entries["f"] = 0;
  initial.data = {"old"};
  LogBuilder b(initial);
  b.Open("f.tmp", O_WRONLY | O_CREAT);
  b.Append("f.tmp", "new");
  b.Close("f.tmp");
  b.Rename("f.tmp", "f");
  const OpLog log = std::move(b).Finish();
  auto renamed_without_data = [&](const std::string& setting) {
    bool seen = false;
    ForEachState(log, *Model("ext4-ordered", {{"auto_da_alloc", setting}}),
                 [&](const CutFacts&, const CrashState& s) {
                   if (s.cut == 4 && !Drops(s, 3) && Drops(s, 1)) seen = true;
                 });
    return seen;
  };
  EXPECT_FALSE(renamed_without_data("on"));
  EXPECT_TRUE(renamed_without_data("off"));
}

TEST(Models, Ext4AutoDaAllocFlushesOnCloseAfterATruncateToZero) {
  FsState initial;
  initial.entries["f"] = 0;
  initial.data = {"old contents"};
  LogBuilder b(initial);
  b.Open("f", O_WRONLY | O_TRUNC);
  b.Append("f", "new");
  b.Close("f");
  b.Open("g", O_WRONLY | O_CREAT);  // a later metadata op the journal may commit
  const OpLog log = std::move(b).Finish();
  int committed_after_close = 0, data_lost_before = 0;
  ForEachState(log, *Model("ext4-ordered"), [&](const CutFacts&, const CrashState& s) {
    if (s.cut != 4) return;
    if (!Drops(s, 3)) {
      ++committed_after_close;
      EXPECT_FALSE(Drops(s, 1)) << s.label;
    } else if (Drops(s, 1)) {
      ++data_lost_before;  // no commit since the close: the new data may be lost
    }
  });
  EXPECT_GT(committed_after_close, 0);
  EXPECT_GT(data_lost_before, 0);
}

TEST(Models, Ext4AppendsSurviveAsAPrefixAtWriteOrPageBoundaries) {
  LogBuilder b{FsState{}};
  b.Open("f", O_WRONLY | O_CREAT);
  b.Fsync("f");
  b.Append("f", std::string(5000, 'a'));
  b.Append("f", std::string(100, 'b'));
  const OpLog log = std::move(b).Finish();
  CutFacts f(log);
  for (int i = 0; i < 4; ++i) f.Advance();
  std::vector<CrashState> states;
  Model("ext4-ordered")->StatesAt(f, 2, &states);
  // nothing, the first 4096 bytes, the first write, (the whole is the most durable state)
  ASSERT_EQ(states.size(), 3u);
  EXPECT_EQ(states[0].dropped, (std::vector<int>{2, 3}));
  EXPECT_EQ(states[1].dropped, (std::vector<int>{3}));
  EXPECT_EQ(states[1].partial.at(0).keep, 4096);
  EXPECT_EQ(states[2].dropped, (std::vector<int>{3}));
  EXPECT_TRUE(states[2].partial.empty());
}

}  // namespace
}  // namespace crashbench
