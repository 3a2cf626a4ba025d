// The oracles' globs: '*' stays in one component, '**' crosses them (and
// "**/" may match no directory), '?' is one character, no wildcard takes the
// '.' that begins a component, "{out}/" in front is dropped.
#include <gtest/gtest.h>

#include "harness/oracle/oracle_internal.h"

namespace crashbench {
namespace {

using oracle_internal::GlobMatches;
using oracle_internal::IsLiteralGlob;
using oracle_internal::NormalizeGlob;

TEST(OracleGlob, StarStaysInsideOneComponent) {
  EXPECT_TRUE(GlobMatches("*.json", "a.json"));
  EXPECT_FALSE(GlobMatches("*.json", ".json"));
  EXPECT_FALSE(GlobMatches("*.json", "sub/a.json"));
  EXPECT_TRUE(GlobMatches("out/*.json", "out/task-3.json"));
  EXPECT_FALSE(GlobMatches("out/*.json", "out/deep/task-3.json"));
  EXPECT_FALSE(GlobMatches("*.json", "a.jsonl"));
  EXPECT_TRUE(GlobMatches("part-*-of-*.csv", "part-1-of-4.csv"));
}

TEST(OracleGlob, DoubleStarCrossesComponentsAndMayMatchNone) {
  EXPECT_TRUE(GlobMatches("**/*.json", "a.json"));
  EXPECT_TRUE(GlobMatches("**/*.json", "x/y/z/a.json"));
  EXPECT_TRUE(GlobMatches("out/**/data.csv", "out/data.csv"));
  EXPECT_TRUE(GlobMatches("out/**/data.csv", "out/2024/01/data.csv"));
  EXPECT_FALSE(GlobMatches("out/**/data.csv", "other/data.csv"));
  EXPECT_TRUE(GlobMatches("**", "a/b/c"));
  EXPECT_TRUE(GlobMatches("a**z", "a/b/z"));
}

TEST(OracleGlob, QuestionMarkIsOneCharacterOtherThanSlash) {
  EXPECT_TRUE(GlobMatches("task-?.json", "task-7.json"));
  EXPECT_FALSE(GlobMatches("task-?.json", "task-17.json"));
  EXPECT_FALSE(GlobMatches("a?b", "a/b"));
}

TEST(OracleGlob, NoWildcardTakesTheDotThatBeginsAComponent) {
  EXPECT_FALSE(GlobMatches("*", ".data.csv.swp"));
  EXPECT_FALSE(GlobMatches("**", "sub/.hidden"));
  EXPECT_FALSE(GlobMatches("**/x", ".git/x"));
  EXPECT_FALSE(GlobMatches("?x", ".x"));
  EXPECT_TRUE(GlobMatches(".*", ".data.csv.swp"));  // asked for by name
  EXPECT_TRUE(GlobMatches("**/.*.tmp", "a/.b.tmp"));
  EXPECT_TRUE(GlobMatches("**/.*.tmp", ".b.tmp"));
  EXPECT_FALSE(GlobMatches("a*.tmp", "a/.b.tmp"));
  EXPECT_TRUE(GlobMatches("*", "data.csv.tmp"));  // a dot inside a name is no exception
}

TEST(OracleGlob, LiteralsMatchThemselvesOnly) {
  EXPECT_TRUE(GlobMatches("data.txt", "data.txt"));
  EXPECT_FALSE(GlobMatches("data.txt", "data.txt.bak"));
  EXPECT_FALSE(GlobMatches("data.txt", "sub/data.txt"));
  EXPECT_TRUE(IsLiteralGlob("sub/data.txt"));
  EXPECT_FALSE(IsLiteralGlob("sub/*.txt"));
  EXPECT_FALSE(IsLiteralGlob("task-?.json"));
}

TEST(OracleGlob, OutPlaceholderAndTheOutputDirectoryInFrontAreDropped) {
  EXPECT_EQ(NormalizeGlob("{out}/a/*.json", ""), "a/*.json");
  EXPECT_EQ(NormalizeGlob("/tmp/run/out/a.json", "/tmp/run/out"), "a.json");
  EXPECT_EQ(NormalizeGlob("/tmp/run/outer/a.json", "/tmp/run/out"), "/tmp/run/outer/a.json");
  EXPECT_EQ(NormalizeGlob("a.json", "/tmp/run/out"), "a.json");
}

TEST(OracleGlob, LongPathsStayCheap) {
  // Memoised: a glob of many stars against a long path that fails at the end
  // would take exponential time by plain backtracking.
  const std::string path(2000, 'a');
  EXPECT_FALSE(GlobMatches("*a*a*a*a*a*a*a*a*a*a*b", path));
  EXPECT_FALSE(GlobMatches("**a**a**a**a**a**a**b", path));
}

}  // namespace
}  // namespace crashbench
