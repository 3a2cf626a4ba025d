// The one-line verdict of a run, the same in the console, summary.md and
// report.html: which guarantees broke, which demonstrations did not show this
// time, and for scenarios without any expectation what was seen instead of a
// "held" that checked nothing.
//
//   VerdictCounts c = ...;  // from a RunOutcome (console) or a ReportModel (reports)
//   std::string line = VerdictHeadline(c);
//   // "every expectation held (40 scenarios); 1 demonstration not shown this time"
//   // "no expectations given; 197/197 trials show violations"
#pragma once

#include <string>

#include "harness/run/runner.h"

namespace crashbench {

struct VerdictCounts {
  long long scenarios = 0;
  long long failed = 0;                // a guarantee broke (a forbidden kind appeared)
  long long harness_errors = 0;        // scenarios with a harness or input error
  long long not_shown = 0;             // scenarios with a demonstration that did not show
  long long without_expectations = 0;  // neither expect.forbid nor expect.show
  // Over the scenarios without expectations: trials, and those with a violation.
  long long unchecked_trials = 0, unchecked_violating = 0;
};

VerdictCounts CountVerdicts(const RunOutcome& outcome);
std::string VerdictHeadline(const VerdictCounts& c);

}  // namespace crashbench
