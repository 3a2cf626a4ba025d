// Scenario builders the fault tests share: a fault of a kind at a trigger,
// a named method, and how a process of a trial ended.
#pragma once

#include <optional>
#include <string>

#include "tests/e2e/e2e_util.h"

namespace crashbench::testing {

inline Scenario WithFault(Scenario s, const std::string& kind, TriggerSpec trigger) {
  s.fault.kind = kind;
  s.fault.trigger = trigger;
  s.name += "-" + kind;
  return s;
}

inline TriggerSpec Point(FaultPoint p, std::optional<long long> occurrence = {}) {
  TriggerSpec t;
  t.type = TriggerType::kPoint;
  t.point = p;
  t.occurrence = occurrence;
  return t;
}

inline TriggerSpec Random() {
  TriggerSpec t;
  t.type = TriggerType::kRandom;
  return t;
}

inline std::string End(const TrialResult& t, int pid) {
  for (const auto& p : t.processes)
    if (p.value("pid", 0) == pid) return p.value("end", "");
  return "?";
}

inline Scenario WithMethod(Scenario s, const std::string& method) {
  s.fault.method = method;
  s.name += "-" + method;
  return s;
}

// The kill a method ends in: the OOM killer's SIGKILL, or bad_alloc's abort().
inline std::string OomEnd(const TrialResult& t) {
  return t.fired.value("method", "") == "cgroup" ? "killed by SIGKILL" : "killed by SIGABRT";
}

}  // namespace crashbench::testing
