// Calibration: a scenario run fault-free to completion before any of its
// trials starts, with nothing else running (its own trial deadline bounds
// it). It says how long the scenario takes and how often each trigger site
// is reached; random moments and unspecified occurrences are drawn from it,
// and --explore enumerates its visits.
#pragma once

#include "harness/run/runner.h"
#include "harness/run/trial.h"

namespace crashbench {

// Three fault-free runs of plan.scenario in plan.dir (removed after each);
// sets sr->calibration from the fastest, so that a run slowed by passing load
// can only move random moments earlier in a trial, never past its end (visit
// counts do not depend on timing). False when the scenario's trials cannot
// run: sr->error says why (a run failed, or the trigger point lies where its
// targets never go, an input error); or when interrupted, sr->error empty.
bool Calibrate(TrialPlan plan, ScenarioResult* sr);

}  // namespace crashbench
