// run --shard I/N and merge: the shards of a run join into the results file
// the unsharded run writes, less its timing and host fields; merge refuses
// shards that do not belong together.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "harness/base/sys.h"
#include "results/merge.h"
#include "tests/test_util.h"

namespace crashbench::testing {
namespace {

using nlohmann::json;

// One worker and faults at fixed places: every trial's content is the same in
// every run, so sharded-then-merged can be compared with unsharded field by field.
constexpr const char* kDeterministic = R"([
  {"name":"torn-at-5","strategy":"per-task-file","workers":1,
   "workload":{"tasks":6,"records_per_task":3,"record_bytes":64},
   "fault":{"kind":"sigkill","trigger":{"point":"mid-record","occurrence":5}},"trials":3,"seed":11},
  {"name":"after-7","strategy":"naive","workers":1,
   "workload":{"tasks":6,"records_per_task":3,"record_bytes":64},
   "fault":{"kind":"sigkill","trigger":{"after_records":7}},"trials":2,"seed":12},
  {"name":"clean","strategy":"locked-append","workers":1,
   "workload":{"tasks":4,"records_per_task":2,"record_bytes":32},"trials":3,"seed":13}
])";

json Load(const std::string& path) {
  Result<std::string> text = ReadFileToString(path);
  EXPECT_TRUE(text.ok()) << path;
  return text.ok() ? json::parse(*text) : json();
}

size_t TrialCount(const json& doc) {
  size_t n = 0;
  for (const json& s : doc["scenarios"]) n += s["trials"].size();
  return n;
}

class ShardMerge : public ::testing::Test {
 protected:
  void SetUp() override { dir_.Write("s.json", kDeterministic); }
  CommandResult Run(const std::vector<std::string>& args,
                    const std::vector<std::string>& env = {}) {
    return RunCrashbench(args, dir_.path(), env);
  }
  // Runs shard I/N into dir "sI", returns the results path.
  std::string Shard(int i, int n) {
    const std::string out = "s" + std::to_string(i) + "of" + std::to_string(n);
    CommandResult r = Run({"run", "s.json", "--no-progress", "--out", out, "--shard",
                           std::to_string(i) + "/" + std::to_string(n)});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    return out + "/results.json";
  }
  ScratchDir dir_;
};

TEST_F(ShardMerge, MergedShardsEqualTheUnshardedRunExceptTimingAndHost) {
  CommandResult whole = Run({"run", "s.json", "--no-progress", "--out", "whole"});
  ASSERT_EQ(whole.exit_code, 0) << whole.out << whole.err;
  const std::string a = Shard(0, 2);
  // The second shard through GoogleTest's variables, as a CI matrix sets them.
  CommandResult b = Run({"run", "s.json", "--no-progress", "--out", "b"},
                        {"GTEST_TOTAL_SHARDS=2", "GTEST_SHARD_INDEX=1"});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  CommandResult m = Run({"merge", a, "b/results.json", "-o", "merged.json"});
  ASSERT_EQ(m.exit_code, 0) << m.out << m.err;

  const json unsharded = Load(dir_.path() + "/whole/results.json");
  const json shard_a = Load(dir_.path() + "/" + a), shard_b = Load(dir_.path() + "/b/results.json");
  const json merged = Load(dir_.path() + "/merged.json");
  // Each shard holds a real part of the trials (8 trials: 4 and 4), and together all of them.
  EXPECT_EQ(TrialCount(unsharded), 8u);
  EXPECT_EQ(TrialCount(shard_a), 4u);
  EXPECT_EQ(TrialCount(shard_b), 4u);
  EXPECT_EQ(shard_b["shard"]["index"], 1);
  EXPECT_FALSE(merged.contains("shard"));
  // The fault fired and tore: the comparison is about real content.
  EXPECT_EQ(merged["scenarios"][0]["summary"]["trials_with_violations"], 3);
  // Recomputed summaries, not one shard's: the fault-free scenario's costs cover all 3 trials.
  EXPECT_EQ(merged["scenarios"][2]["costs"]["repetitions"], 3);
  EXPECT_EQ(WithoutTimingAndHost(merged), WithoutTimingAndHost(unsharded))
      << WithoutTimingAndHost(merged).dump(1) << "\n---\n"
      << WithoutTimingAndHost(unsharded).dump(1);
}

TEST_F(ShardMerge, MergeRefusesMissingDuplicateAndForeignShards) {
  const std::string a = Shard(0, 2), b = Shard(1, 2), c = Shard(0, 3);
  CommandResult missing = Run({"merge", a, "-o", "m.json"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("missing shard 1/2"), std::string::npos) << missing.err;
  CommandResult twice = Run({"merge", a, a, b, "-o", "m.json"});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("given twice"), std::string::npos) << twice.err;
  CommandResult counts = Run({"merge", a, c, "-o", "m.json"});
  EXPECT_EQ(counts.exit_code, 2);
  EXPECT_NE(counts.err.find("same number of ways"), std::string::npos) << counts.err;

  // Another seed is another run.
  json other = Load(dir_.path() + "/" + b);
  other["scenarios"][1]["seed"] = 99;
  dir_.Write("other-seed.json", other.dump());
  CommandResult seeds = Run({"merge", a, "other-seed.json", "-o", "m.json"});
  EXPECT_EQ(seeds.exit_code, 2);
  EXPECT_NE(seeds.err.find("'seed'"), std::string::npos) << seeds.err;
  // Another build is refused too.
  json build = Load(dir_.path() + "/" + b);
  build["tool"]["git_sha"] = "0000000";
  dir_.Write("other-build.json", build.dump());
  CommandResult tools = Run({"merge", a, "other-build.json", "-o", "m.json"});
  EXPECT_EQ(tools.exit_code, 2);
  EXPECT_NE(tools.err.find("one build"), std::string::npos) << tools.err;
  dir_.Write("junk.json", "{\"hello\": 1}");
  EXPECT_EQ(Run({"merge", a, "junk.json", "-o", "m.json"}).exit_code, 2);
  EXPECT_FALSE(ReadFileToString(dir_.path() + "/m.json").ok()) << "a refused merge writes nothing";
}

TEST_F(ShardMerge, BadShardSpecsExit2BeforeAnythingRuns) {
  for (const char* spec : {"2/2", "0/0", "x", "1/", "/2", "-1/2", "1/2/3", "a/b"}) {
    CommandResult r = Run({"run", "s.json", "--no-progress", "--out", "o", "--shard", spec});
    EXPECT_EQ(r.exit_code, 2) << spec << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("--shard"), std::string::npos) << r.err;
  }
  CommandResult env =
      Run({"run", "s.json", "--no-progress", "--out", "o"}, {"GTEST_TOTAL_SHARDS=2"});
  EXPECT_EQ(env.exit_code, 2) << env.err;
  CommandResult with_trial = Run({"run", "s.json", "--out", "o", "--shard", "0/2", "--trial", "0"});
  EXPECT_EQ(with_trial.exit_code, 2) << with_trial.err;
  EXPECT_FALSE(ReadFileToString(dir_.path() + "/o/results.json").ok());
}

}  // namespace
}  // namespace crashbench::testing
