// Where one trial's wall time goes, stage by stage, from its scratch
// directory to its spill line (crashbench run --profile). The trial's
// counterpart of StageClock (stage_clock.h), on the same clock
// (StageNowNanos, CLOCK_MONOTONIC: one clock for every process, so a stage
// may start in one process and end in another).
//
//   { TrialStageTimer t(clock, TrialStage::kVerify); VerifyDirectory(...); }
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "harness/base/stage_clock.h"

namespace crashbench {

// In the order a trial passes through them. The runner: kScratchSetUp, and
// at the end kCollect (reaping the trial process, parsing its result),
// kScratchRemoval, kSpill. The trial process: kForkTrial (from before the
// fork to the trial body's first line), kSetUp (the fault's scene, the
// subject, its pipes and the strategy's set-up), kForkWorkers, kDispatch
// (tasks out, reports in), kWrites (the supervisor waiting while the
// workers write), kFault (firing it), kReap (the workers' ends, the
// strategy's tear-down), kVerify (reading the output and judging it),
// kReport (from the result being ready to the runner holding it: encoding,
// the pipe, the runner waking up).
enum class TrialStage {
  kScratchSetUp,
  kForkTrial,
  kSetUp,
  kForkWorkers,
  kDispatch,
  kWrites,
  kFault,
  kReap,
  kVerify,
  kReport,
  kCollect,
  kScratchRemoval,
  kSpill,
};
inline constexpr int kNumTrialStages = 13;
std::string_view TrialStageName(TrialStage s);

class TrialClock {
 public:
  void Add(TrialStage s, long long ns) { ns_[static_cast<size_t>(s)] += ns; }
  long long Get(TrialStage s) const { return ns_[static_cast<size_t>(s)]; }
  const std::array<long long, kNumTrialStages>& all() const { return ns_; }

 private:
  std::array<long long, kNumTrialStages> ns_{};
};

class TrialStageTimer {
 public:
  TrialStageTimer(TrialClock& clock, TrialStage s)
      : clock_(clock), stage_(s), start_(StageNowNanos()) {}
  ~TrialStageTimer() { clock_.Add(stage_, StageNowNanos() - start_); }
  TrialStageTimer(const TrialStageTimer&) = delete;
  TrialStageTimer& operator=(const TrialStageTimer&) = delete;

 private:
  TrialClock& clock_;
  TrialStage stage_;
  long long start_;
};

}  // namespace crashbench
