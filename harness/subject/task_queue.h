// The tasks of one pool run in the order they are handed out: retries first,
// then tasks never started, leaving out those a restart takes for done. How
// often each task was started decides whether a retry is still allowed.
#pragma once

#include <deque>
#include <map>
#include <set>
#include <vector>

namespace crashbench {

class TaskQueue {
 public:
  TaskQueue(long long tasks, const std::set<long long>& skip) : tasks_(tasks), skip_(skip) {}

  // The next task to hand out; -1 when there is none.
  long long Next() {
    if (!retries_.empty()) {
      const long long task = retries_.front();
      retries_.pop_front();
      return task;
    }
    while (next_ < tasks_ && skip_.count(next_)) ++next_;
    return next_ < tasks_ ? next_++ : -1;
  }
  // A task Next() gave that never reached a worker: first in line again.
  void PutBack(long long task) { retries_.push_front(task); }
  void Started(long long task) { ++starts_[task]; }
  int starts(long long task) const {
    auto it = starts_.find(task);
    return it == starts_.end() ? 0 : it->second;
  }
  // A task whose worker died: last in line.
  void Retry(long long task) { retries_.push_back(task); }
  bool HasWork() const {
    if (!retries_.empty()) return true;
    for (long long t = next_; t < tasks_; ++t)
      if (!skip_.count(t)) return true;
    return false;
  }
  // The retries nobody took; the queue forgets them.
  std::vector<long long> TakeRetries() {
    std::vector<long long> left(retries_.begin(), retries_.end());
    retries_.clear();
    return left;
  }

 private:
  long long tasks_;
  const std::set<long long>& skip_;
  long long next_ = 0;
  std::deque<long long> retries_;
  std::map<long long, int> starts_;
};

}  // namespace crashbench
