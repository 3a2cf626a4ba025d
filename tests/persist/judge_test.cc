// The judge's file-by-file split and its cache give exactly what one
// VerifyFiles over the whole state gives.
#include "harness/persist/judge.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "harness/persist/explore.h"
#include "tests/persist/strategy_logs.h"

namespace crashbench {
namespace {

using namespace persist_testing;  // NOLINT: test programs

using Key = std::tuple<std::string, std::string, long long, long long, long long, long long>;

std::vector<Key> Keys(const std::vector<Anomaly>& anomalies) {
  std::vector<Key> keys;
  for (const Anomaly& a : anomalies)
    keys.emplace_back(std::string(AnomalyName(a.kind)), a.file, a.task, a.seq, a.offset, a.line);
  std::sort(keys.begin(), keys.end());
  return keys;
}
std::vector<Key> Keys(const std::vector<const Anomaly*>& anomalies) {
  std::vector<Anomaly> copies;
  for (const Anomaly* a : anomalies) copies.push_back(*a);
  return Keys(copies);
}

// VerifyFiles on the top level of a state, as VerifyDirectory would list it.
std::vector<Anomaly> Whole(const FsState& s, const VerifyOptions& base,
                           const std::set<long long>& acked) {
  std::vector<FileContents> outputs;
  std::vector<std::string> others;
  for (const auto& [name, id] : s.entries) {
    const bool ours = base.layout == Layout::kShared ? name == kSharedFileName
                                                     : TaskFromPerTaskFileName(name).has_value();
    if (ours) {
      outputs.push_back({name, *s.Find(name)});
    } else {
      others.push_back(name);
    }
  }
  VerifyOptions o = base;
  o.acked = acked;
  return VerifyFiles(outputs, others, o).anomalies;
}

void ExpectSplitEqualsWhole(const OpLog& log, Layout layout, const Workload& w) {
  VerifyOptions base;
  base.layout = layout;
  base.tasks = w.tasks;
  base.records_per_task = w.records;
  CrashJudge judge(base);
  ExploreOptions opt;
  opt.max_states = 0;
  long long states = 0;
  Explore(log, *MakePersistenceModel("posix-weak", {}).value(), opt, [&](const ExploredState& s) {
    ++states;
    EXPECT_EQ(Keys(judge.Judge(s.state, s.acked)), Keys(Whole(s.state, base, s.acked)))
        << s.crash.label << " at cut " << s.crash.cut;
    return true;
  });
  EXPECT_GT(states, 10);
  if (layout == Layout::kPerTask) {
    EXPECT_EQ(judge.whole_checks(), 0);  // every file spoke of its own task only
    EXPECT_GT(judge.cache_hits(), judge.cache_misses());
  }
}

TEST(CrashJudge, SplitEqualsWholeOnPerTaskStates) {
  Workload w;
  ExpectSplitEqualsWhole(LogOf([&](Calls& c) { AtomicRename(c, w, false, false); }),
                         Layout::kPerTask, w);
  ExpectSplitEqualsWhole(LogOf([&](Calls& c) { PerTaskFile(c, w, true); }), Layout::kPerTask, w);
}

TEST(CrashJudge, SharedStatesAreJudgedWhole) {
  Workload w;
  ExpectSplitEqualsWhole(LogOf([&](Calls& c) { LockedAppend(c, w, false); }), Layout::kShared, w);
}

TEST(CrashJudge, AFileWithAnotherTasksRecordsIsJudgedWhole) {
  Workload w;
  w.tasks = 2;
  VerifyOptions base;
  base.layout = Layout::kPerTask;
  base.tasks = 2;
  CrashJudge judge(base);
  FsState s;
  s.entries["task-0.json"] = 0;
  s.entries["task-1.json"] = 1;
  std::string doc1 = "{\"task\":1,\"count\":1,\"records\":[" + RecordText(w, 1, 0, false) + "]}";
  s.data = {doc1, doc1};  // task 1's document under task 0's name too: a duplicate
  EXPECT_EQ(Keys(judge.Judge(s, {0, 1})), Keys(Whole(s, base, {0, 1})));
  EXPECT_EQ(judge.whole_checks(), 1);
}

TEST(CrashJudge, OnlyTask) {
  EXPECT_TRUE(OnlyTask("{\"task\":12,\"seq\":0}", 12));
  EXPECT_FALSE(OnlyTask("{\"task\":12,\"x\":{\"task\": 3}}", 12));
  EXPECT_TRUE(OnlyTask("{\"task\":1", 12));  // cut inside the number: could be 12
  EXPECT_FALSE(OnlyTask("{\"task\":3", 12));
  EXPECT_TRUE(OnlyTask("{\"payload\":\"\\\"task\\\":3\"}", 12));  // inside a string
}

}  // namespace
}  // namespace crashbench
