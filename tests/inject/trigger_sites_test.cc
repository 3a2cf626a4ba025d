// Trigger-site counts: lookups, the fixed enumeration order --explore relies
// on, and the persisted "point_counts" shape, which must stay what results
// files written before trigger sites existed hold.
#include "harness/inject/trigger_sites.h"

#include <gtest/gtest.h>

#include <array>
#include <nlohmann/json.hpp>

namespace crashbench {
namespace {

constexpr TriggerSite kWorkerBeforeWrite{Role::kWorker, FaultPoint::kBeforeWrite};
constexpr TriggerSite kWorkerBeforeAck{Role::kWorker, FaultPoint::kBeforeAck};
constexpr TriggerSite kWriterAfterRename{Role::kWriter, FaultPoint::kAfterRename};

TriggerSiteCounts Sample() {
  TriggerSiteCounts c;
  c.Set(kWorkerBeforeAck, 1);
  c.Set(kWriterAfterRename, 3);
  c.Set(kWorkerBeforeWrite, 2);
  return c;
}

TEST(TriggerSites, UnreachedSitesCountZeroAndSettingZeroForgetsASite) {
  TriggerSiteCounts c = Sample();
  EXPECT_EQ(c.at(kWorkerBeforeWrite), 2);
  EXPECT_EQ(c.at(kWriterAfterRename), 3);
  EXPECT_EQ(c.at({Role::kWriter, FaultPoint::kBeforeWrite}), 0);
  c.Set(kWriterAfterRename, 0);
  EXPECT_EQ(c.at(kWriterAfterRename), 0);
  TriggerSiteCounts expected;
  expected.Set(kWorkerBeforeWrite, 2);
  expected.Set(kWorkerBeforeAck, 1);
  EXPECT_EQ(c, expected);
}

TEST(TriggerSites, ReachedListsOneRoleInPointOrder) {
  const TriggerSiteCounts c = Sample();
  const std::vector<TriggerSite> workers = {kWorkerBeforeWrite, kWorkerBeforeAck};
  EXPECT_EQ(c.Reached(Role::kWorker), workers);
  EXPECT_EQ(c.Reached(Role::kWriter), std::vector<TriggerSite>{kWriterAfterRename});
  EXPECT_TRUE(TriggerSiteCounts().Reached(Role::kWorker).empty());
}

TEST(TriggerSites, VisitsEnumerateEveryOccurrenceBySiteThenOccurrence) {
  const TriggerSiteCounts c = Sample();
  const std::vector<TriggerVisit> workers = {
      {kWorkerBeforeWrite, 1}, {kWorkerBeforeWrite, 2}, {kWorkerBeforeAck, 1}};
  EXPECT_EQ(c.Visits(Role::kWorker), workers);
  const std::vector<TriggerVisit> writer = {
      {kWriterAfterRename, 1}, {kWriterAfterRename, 2}, {kWriterAfterRename, 3}};
  EXPECT_EQ(c.Visits(Role::kWriter), writer);
}

TEST(TriggerSites, AFaultAimedAtTheWriterIsTriggeredByTheWritersSites) {
  EXPECT_EQ(TriggerRole(FaultTarget::kWriter), Role::kWriter);
  EXPECT_EQ(TriggerRole(FaultTarget::kWorker), Role::kWorker);
  EXPECT_EQ(TriggerRole(FaultTarget::kAllWorkers), Role::kWorker);
  EXPECT_EQ(TriggerRole(FaultTarget::kPool), Role::kWorker);
}

TEST(TriggerSites, JsonIsTheFixedRoleByPointArrayResultsFilesHold) {
  // What results files held before trigger sites: [role][point], zeros included.
  std::array<std::array<long long, kNumFaultPoints>, 2> old{};
  old[0][0] = 2;
  old[0][6] = 1;
  old[1][5] = 3;
  EXPECT_EQ(Sample().ToJson().dump(), nlohmann::json(old).dump());
  EXPECT_EQ(TriggerSiteCounts().ToJson().dump(), "[[0,0,0,0,0,0,0],[0,0,0,0,0,0,0]]");
  EXPECT_EQ(TriggerSiteCounts::FromJson(nlohmann::json(old)), Sample());
}

TEST(TriggerSites, FromJsonTakesWhateverIsMissingForZero) {
  EXPECT_EQ(TriggerSiteCounts::FromJson(nlohmann::json()), TriggerSiteCounts());
  EXPECT_EQ(TriggerSiteCounts::FromJson(nlohmann::json::object()), TriggerSiteCounts());
  TriggerSiteCounts short_rows = TriggerSiteCounts::FromJson(nlohmann::json::parse("[[2]]"));
  TriggerSiteCounts expected;
  expected.Set(kWorkerBeforeWrite, 2);
  EXPECT_EQ(short_rows, expected);
}

TEST(TriggerSites, CountedFromTheSharedRegion) {
  FaultShared shared{};
  for (auto& role : shared.point_count)
    for (auto& count : role) count.store(0);
  shared.point_count[0][0].store(2);
  shared.point_count[0][6].store(1);
  shared.point_count[1][5].store(3);
  EXPECT_EQ(CountTriggerSites(shared), Sample());
}

}  // namespace
}  // namespace crashbench
