// Joining the results files of a sharded run (`crashbench run --shard I/N`)
// into the one an unsharded run of the same scenarios and seeds writes.
//
//   std::vector<ShardFile> shards = {{"a/results.json", doc_a}, {"b/results.json", doc_b}};
//   Result<MergedResults> m = MergeShards(shards);
//   if (!m.ok()) { print m.status().message(); exit 2; }  // refused: says why
//
// Refused (an input error): files that are not results files, different
// schema versions or tool builds, different scenario sets, seeds or
// definitions, different shard counts, a shard given twice, a shard missing,
// a trial in two shards or in the wrong one, or a trial missing from an
// uninterrupted set. Summaries, expectations, the "fault never fired" verdict
// and costs are recomputed over every trial; nothing is averaged from shards.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/run/runner.h"

namespace crashbench {

struct ShardFile {
  std::string path;  // names the file in every message
  nlohmann::json doc;
};

struct MergedResults {
  nlohmann::json doc;  // the merged results document (no "shard" block)
  RunOutcome outcome;  // rebuilt from the trials: for the table and the exit code
};

Result<MergedResults> MergeShards(const std::vector<ShardFile>& shards);

// The merged document, in the layout `run` writes (one trial per line).
std::string RenderResultsDocument(const nlohmann::json& doc);

// A results document without the fields that depend on timing or on the host,
// so that two runs of the same deterministic scenarios compare equal:
//   - "context" (date, host, cpu, kernel, filesystem, machine limits, shards);
//   - per scenario: "costs" and summary.calibration.duration_us;
//   - per trial: "duration_ms", "kept_dir", "stderr", "cost_samples", the pids
//     in "fired" ("pid", "acted_pid") and in "processes", "fired.at_us", and
//     " --random-window-us N" in "replay".
// Everything else (seeds, where faults fired, anomaly counts and details,
// acknowledgements, summaries, expectations) is content and is kept.
nlohmann::json WithoutTimingAndHost(nlohmann::json doc);

}  // namespace crashbench
