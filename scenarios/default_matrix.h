// The built-in matrix `crashbench run` runs without arguments: every strategy
// under no fault, a kill -9 at a mid-record fault point and at a random
// moment, and every other fault kind at a mid-record point; then the known
// pitfalls and their fixes (strategy options, pool policies, a restart that
// skips existing files), each with the fault that shows it. Its expectations
// encode what each strategy is known to guarantee, so a change that makes a
// strategy less safe fails the run.
#pragma once

#include <vector>

#include "scenarios/scenario.h"

namespace crashbench {

std::vector<Scenario> DefaultMatrix(bool quick);

}  // namespace crashbench
