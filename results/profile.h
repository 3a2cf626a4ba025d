// crashbench run --profile: where each millisecond of a trial goes, stage by
// stage (TrialStage, harness/base/stage_clock.h), as the median over the
// scenario's trials with the spread (interquartile range and maximum).
//
// The stages follow a trial from the runner's side (its scratch directory,
// the fork of the trial process) through the trial process (the subject's
// set-up, the fork of its workers, dispatch, the workers' writes, the fault,
// reaping, verification) and back (the result's way to the runner, its
// parsing, the scratch directory's removal, the spill). "total" is the
// trial's life from its scratch directory to its spill line; what no stage
// accounts for (the runner busy with another trial) is "unaccounted".
#pragma once

#include <string>

#include "harness/run/runner.h"

namespace crashbench {

// One table per scenario with profiled trials; "" when none has any.
std::string RenderProfileTable(const RunOutcome& outcome);

}  // namespace crashbench
