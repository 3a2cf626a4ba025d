#include "harness/run/run_plan.h"

#include <algorithm>

namespace crashbench {

bool ShardSlice::HoldsAnyOf(long long first_ordinal, long long n) const {
  // At most `count` ordinals need looking at: one of any `count` in a row is ours.
  for (long long i = 0; i < n && i < count; ++i)
    if (Holds(first_ordinal + i)) return true;
  return false;
}

long long ShardSlice::ShareOf(long long total) const {
  if (count <= 1) return total;
  return std::max(0LL, (total - index + count - 1) / count);
}

std::optional<TrialRange> TrialsToRun(std::optional<int> only_trial, int trials) {
  const int first = only_trial.value_or(0);
  if (first >= trials) return std::nullopt;
  return TrialRange{first, only_trial ? first + 1 : trials};
}

bool MayStartNext(int running, bool a_running_trial_measures, bool next_measures, int jobs) {
  if (running >= std::max(1, jobs) || a_running_trial_measures) return false;
  return !(next_measures && running > 0);
}

}  // namespace crashbench
