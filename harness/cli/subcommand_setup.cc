#include "harness/cli/subcommand_setup.h"

#include <string>

namespace crashbench {

CLI::App* AddMergeCommand(CLI::App& app, MergeCommand& merge) {
  CLI::App* merge_cmd =
      app.add_subcommand("merge", "Join the results of run --shard I/N into one results file");
  merge_cmd->add_option("files", merge.files, "Every shard's results.json")->required();
  merge_cmd->add_option("-o,--out", merge.out, "The merged results file")->required();
  merge_cmd->footer(
      "Exit codes: the merged run's verdict (0 every expectation held, 1 one failed, 3 a shard was "
      "interrupted or a harness error); 2 bad input (a file that is not a shard of the same run, "
      "-o naming a directory); 3 the merged file could not be written.");
  return merge_cmd;
}

CLI::App* AddReplayCommand(CLI::App& app, ReplayTrialCommand& replay) {
  CLI::App* replay_cmd = app.add_subcommand(
      "replay",
      "Rerun one trial of a results file exactly, keep its directory, dump the damaged bytes");
  replay_cmd->add_option("results", replay.results, "A results.json")
      ->required()
      ->check(CLI::ExistingFile);
  replay_cmd
      ->add_option("--trial", replay.trial,
                   "SCENARIO:INDEX (INDEX alone when the file has one scenario)")
      ->required();
  replay_cmd
      ->add_option("--context", replay.context_bytes, "Bytes shown before and after each anomaly")
      ->check(CLI::Range(0, 4096));
  replay_cmd->add_option("--scratch", replay.scratch_parent,
                         "Parent directory for the kept scratch directory");
  replay_cmd->footer(
      "Exit codes: the replayed trial's verdict (0 its expectation held, 1 it failed, 3 harness "
      "error or interrupted); 2 bad input (not a results file, no such trial).");
  return replay_cmd;
}

CLI::App* AddShrinkCommand(CLI::App& app, ShrinkCommand& shrink) {
  CLI::App* shrink_cmd = app.add_subcommand(
      "shrink",
      "Find the smallest workload that still shows a trial's anomaly; print its scenario file");
  shrink_cmd->add_option("results", shrink.results, "A results.json")
      ->required()
      ->check(CLI::ExistingFile);
  shrink_cmd
      ->add_option("--trial", shrink.trial,
                   "SCENARIO:INDEX (INDEX alone when the file has one scenario)")
      ->required();
  shrink_cmd->add_option("--kind", shrink.kind,
                         "The anomaly kind to keep (default: the trial's first violation)");
  shrink_cmd->add_option("--out", shrink.out, "Also write the scenario file here");
  shrink_cmd->add_option("--attempts", shrink.attempts, "Trials per candidate workload")
      ->check(CLI::Range(1, 100));
  shrink_cmd->add_option("--max-runs", shrink.max_runs, "Candidate workloads tried at most")
      ->check(CLI::Range(1, 1000));
  shrink_cmd->add_option("--max-seconds", shrink.max_seconds, "Stop searching after this long")
      ->check(CLI::Range(1, 86400));
  shrink_cmd->add_option("--scratch", shrink.scratch_parent,
                         "Parent directory for scratch directories");
  shrink_cmd->add_flag("--no-progress", shrink.no_progress, "Print no line per candidate");
  shrink_cmd->footer(
      "Exit codes: 0 a smaller scenario was printed; 1 the original workload did not show the "
      "anomaly; 2 bad input; 3 interrupted, or --out could not be written.");
  return shrink_cmd;
}

CLI::App* AddReportCommand(CLI::App& app, ReportCommand& report) {
  CLI::App* report_cmd = app.add_subcommand(
      "report",
      "Write summary.md, junit.xml, report.html and bench.json from a results file; on GitHub "
      "Actions also append the step summary and print ::error annotations");
  report_cmd->add_option("results", report.results, "A results.json written by crashbench run")
      ->required();
  report_cmd->add_option("--out", report.out_dir,
                         "Where the reports go (default: beside the results file)");
  report_cmd->footer(
      "Exit codes: 0 the reports were written (whatever the results say; run gives the "
      "verdict); 2 not a results file; 3 a report could not be written.");
  return report_cmd;
}

CLI::App* AddGateCommand(CLI::App& app, GateCommand& gate) {
  CLI::App* gate_cmd = app.add_subcommand(
      "gate",
      "CI gate: compare CURRENT results with a baseline; exit 1 when an expectation failed, a "
      "violation rate rose (Fisher exact test) or a cost regressed (Mann-Whitney U and a 95% "
      "Hodges-Lehmann interval of the slowdown beyond the threshold)");
  gate_cmd
      ->add_option("--baseline", gate.baseline,
                   "The baseline results file (e.g. results/baseline.json)")
      ->required();
  gate_cmd->add_option("current", gate.current, "The current results file")->required();
  gate_cmd->add_flag(
      "--no-timing", gate.no_timing,
      "Integrity only: for a baseline whose timings do not carry over (shared runners); "
      "use compare for timing");
  gate_cmd->add_flag("--strict", gate.strict,
                     "Inconclusive findings (too few samples, too noisy, another machine) exit 3");
  gate_cmd
      ->add_option("--cpu-threshold", gate.cpu_threshold,
                   "Slowdown that counts for fsync=none configurations")
      ->check(CLI::Range(0.0, 1.0));
  gate_cmd
      ->add_option("--fsync-threshold", gate.fsync_threshold,
                   "Slowdown that counts for fsync=task/record")
      ->check(CLI::Range(0.0, 1.0));
  gate_cmd->add_option("--alpha", gate.alpha, "Significance level of the tests")
      ->check(CLI::Range(1e-9, 0.5));
  gate_cmd->footer(
      "Exit codes: 0 no regression; 1 an expectation failed, a violation rate rose or a cost "
      "regressed; 2 bad input (not a results file); 3 inconclusive under --strict.");
  return gate_cmd;
}

CLI::App* AddCompareCommand(CLI::App& app, CompareCommand& compare) {
  CLI::App* compare_cmd = app.add_subcommand(
      "compare",
      "Timing honest on one machine: run A and B interleaved (A B A B ...) for --rounds rounds, "
      "each a fault-free run, then apply the gate's cost decision: exit 1 when B is slower. A and "
      "B are two scenario files, or one scenario file run by --binary-a and --binary-b (two "
      "builds)");
  compare_cmd->add_option("a", compare.a, "Scenario file A (the reference)")
      ->required()
      ->check(CLI::ExistingFile);
  compare_cmd->add_option("b", compare.b, "Scenario file B (omit with --binary-a/--binary-b)")
      ->check(CLI::ExistingFile);
  compare_cmd->add_option("--binary-a", compare.binary_a, "crashbench binary that runs side A");
  compare_cmd->add_option("--binary-b", compare.binary_b, "crashbench binary that runs side B");
  compare_cmd->add_option("--rounds", compare.rounds, "Rounds of A then B")
      ->check(CLI::Range(1, 1000));
  compare_cmd
      ->add_option("--trials", compare.trials_per_round, "Fault-free trials a side per round")
      ->check(CLI::Range(1, 1000));
  compare_cmd->add_flag("--strict", compare.strict, "Inconclusive exits 3");
  compare_cmd
      ->add_option("--cpu-threshold", compare.cpu_threshold, "Slowdown that counts for fsync=none")
      ->check(CLI::Range(0.0, 1.0));
  compare_cmd
      ->add_option("--fsync-threshold", compare.fsync_threshold,
                   "Slowdown that counts for fsync=task/record")
      ->check(CLI::Range(0.0, 1.0));
  compare_cmd->add_option("--alpha", compare.alpha, "Significance level")
      ->check(CLI::Range(1e-9, 0.5));
  compare_cmd->add_option("--scratch", compare.scratch_parent,
                          "Parent directory for scratch directories");
  compare_cmd->footer(
      "Exit codes: 0 B is not slower; 1 B is slower; 2 bad input; 3 inconclusive under --strict, "
      "or a side failed (a binary that exits without writing results is named with its exit).");
  return compare_cmd;
}

CLI::App* AddRecoverCommand(CLI::App& app, RecoverCommand& recover) {
  CLI::App* cmd = app.add_subcommand(
      "recover",
      "Turn the finished trials a dead run (kill -9, a crash) spilled into DIR into a "
      "results file, marked interrupted");
  cmd->add_option("dir", recover.dir, "The dead run's --out directory")->required();
  cmd->add_option("-o,--out", recover.out, "The results file (default DIR/results.json)");
  cmd->footer(
      "Exit codes: 0 the results file was written and the spill removed; 2 nothing to recover, "
      "DIR held by a live run, or the results file exists; 3 it could not be written.");
  return cmd;
}

CLI::App* AddCleanCommand(CLI::App& app, CleanCommand& clean) {
  CLI::App* cmd = app.add_subcommand(
      "clean",
      "Remove what dead crashbench runs left: spill and lock files in results directories, "
      "scratch directories, crashbench-oom-<pid> memory cgroups, crashbench-tap-<pid>-<n> subject "
      "cgroups; only what is provably dead (a "
      "lock nobody holds, a pid that is gone)");
  cmd->add_option("dirs", clean.dirs,
                  "Results directories, their parents, scratch parents (default: $TMPDIR or /tmp "
                  "and results/runs)");
  cmd->footer("Exit codes: 0 done (what was removed is listed); 2 a DIR is not a directory.");
  return cmd;
}

// argv's subcommand when no such exists, else "" (CLI11: "A subcommand is required").

}  // namespace crashbench
