// The subcommands behind the CLI, separated from argument parsing so tests can
// call them. Each returns the process exit code.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/run/trial_ref.h"

namespace crashbench {

struct RunCommand {
  std::vector<std::string> files;
  bool quick = false;
  std::vector<std::string> only_scenarios;
  std::optional<int> trial;
  std::optional<int> trials;
  int jobs = 2;
  bool keep = false;
  std::optional<std::string> start_method;
  std::string out_dir;
  std::optional<long long> random_window_us;
  long long max_states = 0;  // --max-states: power loss, crash states a trial checks at most
  bool explore = false;
  std::string scratch_parent;
  bool no_progress = false;
  // "I/N": run the I-th of N deterministic slices of the trials. Empty: the
  // GoogleTest variables GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS, else all.
  std::string shard;
  bool no_reports = false;     // skip summary.md, junit.xml, report.html, bench.json
  bool profile = false;        // print where each trial's time went (results/profile.h)
  std::string table = "auto";  // the integrity table's form on stdout (RenderTableFor)
};
int RunRunCommand(const RunCommand& cmd);

// --shard for run (in cmd_shard.cc). Returns 0 and sets *index, *count, or
// prints why the spec (or the GoogleTest variables) is invalid and returns 2.
// The variables are ignored with --trial (a replay runs one trial, unsharded).
int ResolveShard(const RunCommand& cmd, int* index, int* count);

// crashbench merge A.json B.json ... -o ALL.json (in cmd_shard.cc).
struct MergeCommand {
  std::vector<std::string> files;
  std::string out;
};
int RunMergeCommand(const MergeCommand& cmd);

// crashbench replay RESULTS --trial SCENARIO:INDEX (in cmd_replay.cc).
struct ReplayTrialCommand {
  std::string results;
  std::string trial;
  std::string scratch_parent;
  int context_bytes = 64;  // bytes shown before and after each anomaly's offset
};
int RunReplayTrialCommand(const ReplayTrialCommand& cmd);
// One trial of a results file (NAME:I), the file checked by the shared
// validator first; replay and shrink both start here.
Result<TrialRef> LoadTrial(const std::string& results, const std::string& trial);

// crashbench shrink RESULTS --trial SCENARIO:INDEX (in cmd_shrink.cc).
struct ShrinkCommand {
  std::string results;
  std::string trial;
  std::string kind;       // the anomaly kind to keep; default: the trial's first violation kind
  std::string out;        // also write the scenario file here
  int attempts = 3;       // trials each candidate workload gets
  int max_runs = 30;      // candidate runs at most
  int max_seconds = 120;  // and at most this long
  std::string scratch_parent;
  bool no_progress = false;
};
int RunShrinkCommand(const ShrinkCommand& cmd);

struct VerifyCommand {
  std::string dir;
  std::string layout;
  std::optional<long long> tasks;
  std::optional<long long> records_per_task;
  std::string acked_file;
  bool json = false;
};
int RunVerifyCommand(const VerifyCommand& cmd);
// What verify cannot judge without --acked or --tasks: said on its last line
// ("not checked: ..."), in --json as "not_checked", and in its --help.
inline constexpr const char* kVerifyWithoutAcked =
    "lost-acked (no --acked: no task counts as acknowledged, so a missing record is reported "
    "as lost-unacked or partial-visible)";
inline constexpr const char* kVerifyWithoutTasks =
    "lost-unacked of tasks that left no record (no --tasks: only tasks seen on disk or in "
    "--acked are known)";
std::vector<std::string> VerifyNotChecked(const VerifyCommand& cmd);

// Fault-free runs of every combination, one table and one chart.
struct SweepCommand {
  std::vector<std::string> strategies;
  std::vector<int> workers = {4};
  std::vector<long long> record_bytes = {256};
  std::vector<std::string> fsync;  // empty: each strategy's default
  long long tasks = 64;
  long long records_per_task = 16;
  int repetitions = 5;
  std::string out_dir;
  std::string scratch_parent;
  bool no_progress = false;
  std::string table = "auto";
};
int RunSweepCommand(const SweepCommand& cmd);

int RunListCommand();

// The CI gate (harness/cmd_gate.cc): compares CURRENT with a baseline results file.
struct GateCommand {
  std::string baseline;
  std::string current;
  bool strict = false;
  bool no_timing = false;
  double cpu_threshold = 0.05;
  double fsync_threshold = 0.10;
  double alpha = 0.01;
};
int RunGateCommand(const GateCommand& cmd);

// A against B on this machine, interleaved (harness/cmd_compare.cc): two
// scenario files, or one scenario file run by two crashbench binaries.
struct CompareCommand {
  std::string a, b;  // scenario files; with binaries only `a`
  std::string binary_a, binary_b;
  int rounds = 5;
  int trials_per_round = 1;
  bool strict = false;
  double cpu_threshold = 0.05;
  double fsync_threshold = 0.10;
  double alpha = 0.01;
  std::string scratch_parent;
};
int RunCompareCommand(const CompareCommand& cmd);
// summary.md, junit.xml, report.html and bench.json from one results file
// (results/report.h); in harness/cmd_report.cc.
struct ReportCommand {
  std::string results;
  std::string out_dir;  // "" : beside the results file
};
int RunReportCommand(const ReportCommand& cmd);

// crashbench tap --out DIR -- CMD ARGS... (in cmd_tap.cc): the calls a command
// makes under DIR, as the syscall tap sees them.
struct TapCliCommand {
  std::string out;
  bool keep_bytes = false;
  bool no_results = false;
  long long deadline_ms = 60000;
  std::vector<std::string> argv;
};
int RunTapCliCommand(const TapCliCommand& cmd);

}  // namespace crashbench

namespace crashbench {

// crashbench recover DIR [-o FILE] (in cmd_recover.cc): a dead run's spilled
// trials in DIR become a results file.
struct RecoverCommand {
  std::string dir;
  std::string out;  // default DIR/results.json
};
int RunRecoverCommand(const RecoverCommand& cmd);

// crashbench clean [DIR...] (in cmd_recover.cc): removes what dead runs left.
struct CleanCommand {
  std::vector<std::string> dirs;  // default: the scratch parent and results/runs/*
};
int RunCleanCommand(const CleanCommand& cmd);

// Before a run's first trial (in run_guard.cc): --out can be a results
// directory (made here), --scratch is a writable directory, both have room
// for what the run's size says it needs, and no other run holds --out.
// Returns 0 with *lock held for the run's life, else prints why and returns
// the exit code (2 bad input or a directory in use, 125 not enough room).
class RunLock;
struct Scenario;
int PrepareRunPaths(const std::string& out_dir, const std::string& scratch_parent,
                    const std::vector<Scenario>& scenarios, int jobs, RunLock* lock);
// --scratch alone (sweep, replay, shrink, compare): 0 or 2 with the message printed.
int CheckScratchParent(const std::string& scratch_parent);

}  // namespace crashbench
