// A trial result's JSON keeps the calibration fields in the shape results
// files have always held them ("point_counts": [role][point]), so that
// merge, replay and shrink read files written before trigger sites existed.
#include <gtest/gtest.h>

#include "harness/run/trial.h"

namespace crashbench {
namespace {

Calibration SampleCalibration() {
  Calibration c;
  c.duration_us = 12345;
  c.trigger_sites.Set({Role::kWorker, FaultPoint::kMidRecord}, 6);
  c.trigger_sites.Set({Role::kWriter, FaultPoint::kBeforeFsync}, 2);
  return c;
}

TEST(TrialJson, CalibrationKeepsItsPersistedShape) {
  EXPECT_EQ(CalibrationToJson(SampleCalibration()).dump(),
            R"({"duration_us":12345,"point_counts":[[0,6,0,0,0,0,0],[0,0,0,2,0,0,0]]})");
  const Calibration back = CalibrationFromJson(CalibrationToJson(SampleCalibration()));
  EXPECT_EQ(back.duration_us, 12345);
  EXPECT_EQ(back.trigger_sites, SampleCalibration().trigger_sites);
}

TEST(TrialJson, InternalsCarryTheObservedSitesAcrossTheTrialPipe) {
  TrialResult r;
  r.observed = SampleCalibration();
  const nlohmann::json j = TrialResultToJson(r, true);
  EXPECT_EQ(j["point_counts"].dump(), "[[0,6,0,0,0,0,0],[0,0,0,2,0,0,0]]");
  const TrialResult back = TrialResultFromJson(j);
  EXPECT_EQ(back.observed.duration_us, 12345);
  EXPECT_EQ(back.observed.trigger_sites, r.observed.trigger_sites);
  EXPECT_FALSE(TrialResultToJson(r, false).contains("point_counts"));
}

}  // namespace
}  // namespace crashbench
