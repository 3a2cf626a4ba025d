// ScenarioResult's reading of its scenario's expectations (runner.h): the
// demonstrations that showed and those that did not.
#include "harness/run/runner.h"

namespace crashbench {

std::map<std::string, int> ScenarioResult::shown() const {
  std::map<std::string, int> seen;
  for (const TrialResult& t : trials)
    for (AnomalyKind k : scenario.show)
      if (t.count(k) > 0) seen[std::string(AnomalyName(k))]++;
  return seen;
}

std::vector<std::string> ScenarioResult::not_shown() const {
  std::vector<std::string> missing;
  if (!error.empty() || trials.empty()) return missing;  // nothing ran: nothing to report absent
  const std::map<std::string, int> seen = shown();
  for (AnomalyKind k : scenario.show)
    if (!seen.count(std::string(AnomalyName(k)))) missing.emplace_back(AnomalyName(k));
  return missing;
}

}  // namespace crashbench
