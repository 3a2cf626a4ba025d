// A dead run's spill file read back as a run: `crashbench recover` writes a
// results file from it. The spill (harness/run/scheduler.h) opens with a
// header line naming the scenarios; each later line is one finished trial
// with the index of its scenario. A last line cut short by the death is
// ignored; the outcome is marked interrupted.
#pragma once

#include <string>

#include "harness/run/runner.h"

namespace crashbench {

// The outcome's spilled trials point into spill_path (TrialResult::spill_offset),
// so WriteResults reads each full trial back from there.
Result<RunOutcome> RecoverSpilledRun(const std::string& spill_path);

}  // namespace crashbench
