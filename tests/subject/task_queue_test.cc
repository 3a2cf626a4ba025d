// The pool's task queue: the order tasks are handed out in (retries first,
// then tasks never started, skipping those a restart takes for done), and the
// start counts that decide whether a task may run again.
#include "harness/subject/task_queue.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace crashbench {
namespace {

std::vector<long long> Drain(TaskQueue& q) {
  std::vector<long long> out;
  for (long long t; (t = q.Next()) >= 0;) out.push_back(t);
  return out;
}

TEST(TaskQueue, HandsOutEveryTaskInOrderThenNone) {
  const std::set<long long> skip;
  TaskQueue q(4, skip);
  EXPECT_TRUE(q.HasWork());
  EXPECT_EQ(Drain(q), (std::vector<long long>{0, 1, 2, 3}));
  EXPECT_FALSE(q.HasWork());
  EXPECT_EQ(q.Next(), -1);
}

TEST(TaskQueue, NoTasksNoWork) {
  const std::set<long long> skip;
  TaskQueue q(0, skip);
  EXPECT_FALSE(q.HasWork());
  EXPECT_EQ(q.Next(), -1);
}

TEST(TaskQueue, SkipsTasksARestartTakesForDone) {
  const std::set<long long> skip = {0, 2, 3};
  TaskQueue q(5, skip);
  EXPECT_EQ(Drain(q), (std::vector<long long>{1, 4}));
}

TEST(TaskQueue, EverySkippedMeansNoWork) {
  const std::set<long long> skip = {0, 1};
  TaskQueue q(2, skip);
  EXPECT_FALSE(q.HasWork());
  EXPECT_EQ(q.Next(), -1);
}

TEST(TaskQueue, PutBackIsFirstInLine) {
  const std::set<long long> skip;
  TaskQueue q(3, skip);
  const long long t = q.Next();
  q.Retry(2);  // a retry already waiting
  q.PutBack(t);
  EXPECT_EQ(Drain(q), (std::vector<long long>{0, 2, 1, 2}));
}

TEST(TaskQueue, RetriesComeBeforeNewTasksInTheOrderTheyDied) {
  const std::set<long long> skip;
  TaskQueue q(5, skip);
  EXPECT_EQ(q.Next(), 0);
  EXPECT_EQ(q.Next(), 1);
  EXPECT_EQ(q.Next(), 2);
  q.Retry(2);
  q.Retry(0);
  EXPECT_EQ(Drain(q), (std::vector<long long>{2, 0, 3, 4}));
}

TEST(TaskQueue, ARetryIsWorkEvenWhenEveryTaskWasHandedOut) {
  const std::set<long long> skip;
  TaskQueue q(1, skip);
  EXPECT_EQ(q.Next(), 0);
  EXPECT_FALSE(q.HasWork());
  q.Retry(0);
  EXPECT_TRUE(q.HasWork());
  EXPECT_EQ(q.Next(), 0);
}

TEST(TaskQueue, CountsStartsPerTask) {
  const std::set<long long> skip;
  TaskQueue q(2, skip);
  EXPECT_EQ(q.starts(0), 0);
  q.Started(0);
  q.Started(0);
  q.Started(1);
  EXPECT_EQ(q.starts(0), 2);
  EXPECT_EQ(q.starts(1), 1);
  EXPECT_EQ(q.starts(7), 0);
}

TEST(TaskQueue, TakeRetriesEmptiesTheRetriesOnly) {
  const std::set<long long> skip;
  TaskQueue q(4, skip);
  EXPECT_EQ(q.Next(), 0);
  EXPECT_EQ(q.Next(), 1);
  q.Retry(1);
  q.Retry(0);
  EXPECT_EQ(q.TakeRetries(), (std::vector<long long>{1, 0}));
  EXPECT_TRUE(q.TakeRetries().empty());
  EXPECT_EQ(Drain(q), (std::vector<long long>{2, 3}));
}

}  // namespace
}  // namespace crashbench
