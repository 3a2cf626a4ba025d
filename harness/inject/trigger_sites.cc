#include "harness/inject/trigger_sites.h"

#include <nlohmann/json.hpp>

namespace crashbench {
namespace {

constexpr int kNumRoles = 2;  // Role::kWorker, Role::kWriter: the rows of the persisted shape

}  // namespace

Role TriggerRole(FaultTarget target) {
  return target == FaultTarget::kWriter ? Role::kWriter : Role::kWorker;
}

long long TriggerSiteCounts::at(const TriggerSite& site) const {
  auto it = counts_.find(site);
  return it == counts_.end() ? 0 : it->second;
}

void TriggerSiteCounts::Set(const TriggerSite& site, long long count) {
  if (count > 0)
    counts_[site] = count;
  else
    counts_.erase(site);
}

std::vector<TriggerSite> TriggerSiteCounts::Reached(Role role) const {
  std::vector<TriggerSite> sites;
  for (const auto& [site, count] : counts_)
    if (site.role == role) sites.push_back(site);
  return sites;
}

std::vector<TriggerVisit> TriggerSiteCounts::Visits(Role role) const {
  std::vector<TriggerVisit> visits;
  for (const auto& [site, count] : counts_) {
    if (site.role != role) continue;
    for (long long k = 1; k <= count; ++k) visits.push_back({site, k});
  }
  return visits;
}

nlohmann::json TriggerSiteCounts::ToJson() const {
  nlohmann::json rows = nlohmann::json::array();
  for (int r = 0; r < kNumRoles; ++r) {
    nlohmann::json row = nlohmann::json::array();
    for (int p = 0; p < kNumFaultPoints; ++p)
      row.push_back(at({static_cast<Role>(r), static_cast<FaultPoint>(p)}));
    rows.push_back(std::move(row));
  }
  return rows;
}

TriggerSiteCounts TriggerSiteCounts::FromJson(const nlohmann::json& j) {
  TriggerSiteCounts counts;
  if (!j.is_array()) return counts;
  for (size_t r = 0; r < j.size() && r < kNumRoles; ++r) {
    if (!j[r].is_array()) continue;
    for (size_t p = 0; p < j[r].size() && p < kNumFaultPoints; ++p)
      if (j[r][p].is_number_integer())
        counts.Set({static_cast<Role>(r), static_cast<FaultPoint>(p)}, j[r][p].get<long long>());
  }
  return counts;
}

TriggerSiteCounts CountTriggerSites(const FaultShared& region) {
  TriggerSiteCounts counts;
  for (int r = 0; r < kNumRoles; ++r)
    for (int p = 0; p < kNumFaultPoints; ++p)
      counts.Set({static_cast<Role>(r), static_cast<FaultPoint>(p)},
                 region.point_count[r][p].load());
  return counts;
}

}  // namespace crashbench
