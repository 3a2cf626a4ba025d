#include "results/verdict.h"

namespace crashbench {

VerdictCounts CountVerdicts(const RunOutcome& outcome) {
  VerdictCounts c;
  for (const ScenarioResult& sr : outcome.scenarios) {
    ++c.scenarios;
    c.failed += !sr.forbidden_seen().empty();
    bool errors = !sr.error.empty();
    for (const TrialResult& t : sr.trials) errors |= !t.error.empty();
    c.harness_errors += errors;
    c.not_shown += !sr.not_shown().empty();
    if (sr.has_expectations()) continue;
    ++c.without_expectations;
    for (const TrialResult& t : sr.trials) {
      ++c.unchecked_trials;
      c.unchecked_violating += t.violations() > 0;
    }
  }
  return c;
}

std::string VerdictHeadline(const VerdictCounts& c) {
  const auto n = [](long long v) { return std::to_string(v); };
  const long long with_expectations = c.scenarios - c.without_expectations;
  std::string h;
  if (c.failed)
    h = n(c.failed) + " of " + n(c.scenarios) + " scenarios failed their expectation";
  else if (with_expectations > 0)
    h = "every expectation held (" + n(with_expectations) + " scenarios)";
  // A scenario without expectations checked nothing: say what its trials showed.
  if (c.without_expectations > 0) {
    const std::string seen = n(c.unchecked_violating) + "/" + n(c.unchecked_trials);
    if (with_expectations == 0)
      h = "no expectations given; " + seen + " trials show violations";
    else
      h += "; no expectations given for " + n(c.without_expectations) + " scenarios: " + seen +
           " of their trials show violations";
  }
  if (c.not_shown)
    h += "; a demonstration not shown this time in " + n(c.not_shown) +
         (c.not_shown == 1 ? " scenario" : " scenarios") + " (not a failure)";
  if (c.harness_errors) h += "; " + n(c.harness_errors) + " with harness errors";
  return h;
}

}  // namespace crashbench
