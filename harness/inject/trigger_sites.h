// Trigger sites: the places a fault can be aimed at, and how often a run
// reached each. Today a site is a named fault point in one role (the workers
// or the writer); a system call of a subject under a syscall tap is the next
// kind. A fault-free calibration run counts its visits; random occurrences
// are drawn from those counts, and --explore enumerates every visit.
#pragma once

#include <compare>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <vector>

#include "harness/inject/fault.h"
#include "harness/inject/fault_agent.h"

namespace crashbench {

struct TriggerSite {
  Role role = Role::kWorker;
  FaultPoint point = FaultPoint::kBeforeWrite;
  auto operator<=>(const TriggerSite&) const = default;
};

// The occurrence-th time a run reached site (1 is the first).
struct TriggerVisit {
  TriggerSite site;
  long long occurrence = 1;
  bool operator==(const TriggerVisit&) const = default;
};

// The role whose trigger sites a fault aimed at target is triggered by.
Role TriggerRole(FaultTarget target);

class TriggerSiteCounts {
 public:
  // How often site was reached; 0 for a site never reached.
  long long at(const TriggerSite& site) const;
  void Set(const TriggerSite& site, long long count);
  // The sites of role reached at least once, in a fixed order (by point).
  std::vector<TriggerSite> Reached(Role role) const;
  // Every visit to a site of role, ordered by site, then occurrence: trial N
  // of --explore is the N-th, the same visit in every run of a scenario.
  std::vector<TriggerVisit> Visits(Role role) const;
  bool operator==(const TriggerSiteCounts&) const = default;

  // The persisted shape ("point_counts" in results and spill files): one
  // array per role (workers, writer) of one count per fault point, zeros
  // included. FromJson reads what ToJson wrote and takes anything missing for 0.
  nlohmann::json ToJson() const;
  static TriggerSiteCounts FromJson(const nlohmann::json& j);

 private:
  std::map<TriggerSite, long long> counts_;  // only sites reached
};

// What the processes sharing region counted. Call once every process of the
// run has ended (the counters are still live while one runs).
TriggerSiteCounts CountTriggerSites(const FaultShared& region);

}  // namespace crashbench
