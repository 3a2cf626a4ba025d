// The explorer: cuts, priority order, de-duplication and its bounds.
#include "harness/persist/explore.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include "harness/persist/crash_state.h"
#include "harness/persist/log_builder.h"
#include "tests/persist/strategy_logs.h"

namespace crashbench {
namespace {

using namespace persist_testing;  // NOLINT: test programs

std::unique_ptr<PersistenceModel> Model(const std::string& name) {
  return std::move(MakePersistenceModel(name, {}).value());
}

OpLog Log() {
  Workload w;
  return LogOf([&](Calls& c) { AtomicRename(c, w, false, false); });
}

TEST(Explore, CutPointsAllOrAfterPersistencePointsAndAcks) {
  LogBuilder b{FsState{}};
  b.Open("f", O_WRONLY | O_CREAT);
  b.Append("f", "x");
  b.Fsync("f");
  b.Append("f", "y");
  b.Ack(0);
  b.Append("f", "z");
  const OpLog log = std::move(b).Finish();
  EXPECT_EQ(CutPoints(log, CutMode::kAll), (std::vector<int>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(CutPoints(log, CutMode::kPersist), (std::vector<int>{3, 5, 6}));
  EXPECT_EQ(CutModeFromName("persist"), CutMode::kPersist);
  EXPECT_EQ(CutModeFromName("some"), std::nullopt);
}

TEST(Explore, VisitsEveryTierAtEveryCutBeforeTheNextTier) {
  const OpLog log = Log();
  std::vector<int> tiers;
  ExploreOptions opt;
  opt.max_states = 0;
  ExploreCounts n = Explore(log, *Model("posix-weak"), opt, [&](const ExploredState& s) {
    tiers.push_back(s.tier);
    return true;
  });
  EXPECT_TRUE(n.complete);
  EXPECT_TRUE(std::is_sorted(tiers.begin(), tiers.end()));
  EXPECT_EQ(tiers.front(), 0);
  EXPECT_EQ(tiers.back(), 3);
  EXPECT_EQ(n.checked, static_cast<long long>(tiers.size()));
}

TEST(Explore, SameContentsAndAcksAreCheckedOnce) {
  const OpLog log = Log();
  ExploreOptions opt;
  opt.max_states = 0;
  std::set<std::pair<uint64_t, std::set<long long>>> seen;
  ExploreCounts n = Explore(log, *Model("lazyfs"), opt, [&](const ExploredState& s) {
    EXPECT_TRUE(seen.insert({ContentHash(s.state), s.acked}).second);
    return true;
  });
  EXPECT_EQ(n.enumerated, static_cast<long long>(log.ops.size()) + 1);  // one a cut
  EXPECT_LT(n.distinct, n.enumerated);  // writes lazyfs drops change nothing
  EXPECT_EQ(n.checked, n.distinct);
}

TEST(Explore, BoundsStopTheWalkAndSaySo) {
  const OpLog log = Log();
  ExploreOptions opt;
  opt.max_states = 5;
  ExploreCounts n =
      Explore(log, *Model("posix-weak"), opt, [](const ExploredState&) { return true; });
  EXPECT_FALSE(n.complete);
  EXPECT_EQ(n.stopped_by, "max-states");
  EXPECT_EQ(n.checked, 5);

  opt.max_states = 0;
  opt.time_budget_s = 1e-9;
  n = Explore(log, *Model("posix-weak"), opt, [](const ExploredState&) { return true; });
  EXPECT_FALSE(n.complete);
  EXPECT_EQ(n.stopped_by, "time budget");

  opt.time_budget_s = 0;
  n = Explore(log, *Model("posix-weak"), opt, [](const ExploredState&) { return false; });
  EXPECT_EQ(n.stopped_by, "visitor");
  EXPECT_EQ(n.checked, 1);
}

TEST(Explore, AckedSetIsTheAcksBeforeTheCut) {
  const OpLog log = Log();
  ExploreOptions opt;
  opt.max_states = 0;
  Explore(log, *Model("prefix"), opt, [&](const ExploredState& s) {
    EXPECT_EQ(s.acked, AckedBefore(log, s.crash.cut));
    return true;
  });
}

// The explorer's cached file versions build the same states as Materialize.
TEST(Explore, StatesAreThoseMaterializeBuilds) {
  for (const char* model : {"posix-weak", "ext4-ordered"}) {
    Workload w;
    const OpLog logs[] = {Log(), LogOf([&](Calls& c) { LockedAppend(c, w, false); })};
    for (const OpLog& log : logs) {
      ExploreOptions opt;
      opt.max_states = 0;
      long long n = 0;
      Explore(log, *Model(model), opt, [&](const ExploredState& s) {
        ++n;
        std::string why;
        EXPECT_TRUE(SameContents(s.state, Materialize(log, s.crash), &why))
            << model << " " << s.crash.label << " at cut " << s.crash.cut << ": " << why;
        for (const auto& [name, id] : s.state.entries)
          EXPECT_EQ(s.state.data_hash.at(static_cast<size_t>(id)), HashBytes(*s.state.Find(name)));
        return true;
      });
      EXPECT_GT(n, 10);
    }
  }
}

}  // namespace
}  // namespace crashbench
