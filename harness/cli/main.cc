// crashbench's command line. Exceptions stop here and become messages; exit
// codes follow git bisect run (DESIGN.md): 0 good, 1 bad, 2 usage or input
// error, 3 inconclusive or harness failure, 125 cannot test here.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "harness/cli/commands.h"
#include "harness/subject/worker.h"

namespace {

constexpr const char* kExitCodes =
    "Exit codes follow git bisect run (so `git bisect run crashbench run scenarios/X.json` finds "
    "the commit that broke a strategy): 0 good (every expectation held, no regression); 1 bad (an "
    "expectation failed, a violation rate rose, a cost regressed); 2 usage or input error (a bad "
    "file is named with what is wrong); 3 inconclusive under --strict, or the harness failed or "
    "was interrupted; 125 cannot test here (a precondition is missing).";

// A whole number in [lo, hi], said plainly (CLI11's range prints 309-digit doubles).
CLI::Validator Between(long long lo, long long hi) {
  return CLI::Validator(
      [lo, hi](std::string& text) -> std::string {
        long long v = 0;
        size_t used = 0;
        try {
          v = std::stoll(text, &used);
        } catch (const std::exception&) {
          used = 0;
        }
        if (used == text.size() && used > 0 && v >= lo && v <= hi) return "";
        return text + " is not allowed: give a whole number from " + std::to_string(lo) + " to " +
               std::to_string(hi);
      },
      "INT in [" + std::to_string(lo) + " - " + std::to_string(hi) + "]");
}
constexpr long long kMaxCount = 1000000000;  // counts (trials, tasks, records)

// Each subcommand's --help ends with its own exit codes.
constexpr const char* kRunExitCodes =
    "Exit codes: 0 every expectation held; 1 an expectation failed; 2 bad input (a bad file, "
    "option or path, named with what is wrong; --out held by another run); 3 the harness failed, "
    "the run was interrupted (SIGINT, SIGTERM or SIGHUP: partial results written) or its results "
    "could not be kept (a full disk); 125 cannot test here (a missing kernel feature, no room).";

// One function a subcommand: each adds its options to app, binding them to
// the command's fields, and returns the subcommand so main can tell which ran.
// The order they are called in is the order --help lists them.

void AddTableOption(CLI::App* cmd, std::string& table) {
  cmd->add_option("--table", table,
                  "The integrity table on stdout: wide (a line a scenario, a column a fault), "
                  "narrow (a block a fault, fits the terminal), or auto (default): narrow on a "
                  "terminal too narrow for the wide form, wide in a file or a pipe")
      ->check(CLI::IsMember({"auto", "wide", "narrow"}));
}

CLI::App* AddRunCommand(CLI::App& app, crashbench::RunCommand& run) {
  CLI::App* run_cmd = app.add_subcommand(
      "run", "Run scenarios (default: the built-in matrix) and write results.json");
  run_cmd->add_option("files", run.files, "Scenario files (JSON: one object or an array)")
      ->check(CLI::ExistingFile);
  run_cmd->add_flag("--quick", run.quick, "A few-second version of the built-in matrix");
  run_cmd->add_option("--scenario", run.only_scenarios, "Run only the scenarios with these names");
  run_cmd->add_option("--trial", run.trial, "Run only this trial index (replay)")
      ->check(Between(0, kMaxCount));
  run_cmd->add_option("--trials", run.trials, "Override every scenario's trial count")
      ->check(Between(1, kMaxCount));
  run_cmd->add_option("--jobs,-j", run.jobs, "Trials run at once")->check(CLI::Range(1, 256));
  run_cmd->add_flag("--keep", run.keep, "Keep every trial's scratch directory");
  run_cmd->add_flag(
      "--explore", run.explore,
      "Point triggers: one trial per (fault point, occurrence) reachable in a fault-free run");
  run_cmd
      ->add_option("--start-method", run.start_method, "How workers start: fork or spawn (re-exec)")
      ->check(CLI::IsMember({"fork", "spawn"}));
  run_cmd->add_option("--out", run.out_dir,
                      "Where results.json goes (default results/runs/<timestamp>)");
  run_cmd
      ->add_option("--random-window-us", run.random_window_us,
                   "Replay: the window random moments were drawn from")
      ->check(Between(1, 1LL << 50));
  run_cmd->add_option("--scratch", run.scratch_parent,
                      "Parent directory for scratch directories (default $TMPDIR or /tmp)");
  run_cmd->add_flag("--no-progress", run.no_progress, "Never draw the progress line");
  run_cmd->add_option("--shard", run.shard,
                      "I/N: run the trials whose ordinal is I modulo N (default: GTEST_SHARD_INDEX/"
                      "GTEST_TOTAL_SHARDS when set); join shards with merge");
  run_cmd->add_flag("--no-reports", run.no_reports,
                    "Write only results.json (no summary.md, junit.xml, report.html, bench.json)");
  AddTableOption(run_cmd, run.table);
  run_cmd->footer(kRunExitCodes);
  return run_cmd;
}

CLI::App* AddVerifyCommand(CLI::App& app, crashbench::VerifyCommand& verify) {
  CLI::App* verify_cmd =
      app.add_subcommand("verify", "Judge an output directory as a downstream reader would");
  verify_cmd->add_option("dir", verify.dir, "The output directory")->required();
  verify_cmd
      ->add_option("--layout", verify.layout, "shared (records.jsonl) or per-task (task-<T>.json)")
      ->required()
      ->check(CLI::IsMember({"shared", "per-task"}));
  verify_cmd->add_option("--tasks", verify.tasks, "Tasks 0..N-1 were submitted")
      ->check(Between(1, kMaxCount));
  verify_cmd->add_option("--records-per-task", verify.records_per_task, "Records in every task")
      ->check(Between(1, kMaxCount));
  verify_cmd->add_option("--acked", verify.acked_file, "JSON array of acknowledged task ids");
  verify_cmd->add_flag("--json", verify.json, "Print one JSON object");
  verify_cmd->footer(std::string("Without --acked it cannot report ") +
                     crashbench::kVerifyWithoutAcked + ". Without --tasks it cannot report " +
                     crashbench::kVerifyWithoutTasks +
                     ". Its output ends with a line naming what it could not check.\nExit codes: "
                     "0 no violation; 1 a reader would have seen a violation; 2 bad input (the "
                     "directory or --acked file cannot be read, named with what is wrong).");
  return verify_cmd;
}

CLI::App* AddSweepCommand(CLI::App& app, crashbench::SweepCommand& sweep) {
  CLI::App* sweep_cmd = app.add_subcommand(
      "sweep", "Measure costs over a grid of configurations: one table, one chart");
  sweep_cmd->add_option("--strategy", sweep.strategies, "Strategies (default: all)")
      ->delimiter(',');
  sweep_cmd->add_option("--workers", sweep.workers, "Worker counts, e.g. 1,2,4")
      ->delimiter(',')
      ->check(CLI::Range(1, 256));
  sweep_cmd->add_option("--record-bytes", sweep.record_bytes, "Record sizes, e.g. 256,4096")
      ->delimiter(',')
      ->check(CLI::Range(1, 16 << 20));
  sweep_cmd
      ->add_option("--fsync", sweep.fsync,
                   "fsync options, e.g. none,task (default: each strategy's)")
      ->delimiter(',');
  sweep_cmd->add_option("--tasks", sweep.tasks, "Tasks per run")->check(Between(1, kMaxCount));
  sweep_cmd->add_option("--records-per-task", sweep.records_per_task, "Records per task")
      ->check(Between(1, kMaxCount));
  sweep_cmd->add_option("--repetitions", sweep.repetitions, "Runs per configuration")
      ->check(CLI::Range(1, 1000));
  sweep_cmd->add_option("--out", sweep.out_dir, "Where results.json and chart.svg go");
  sweep_cmd->add_option("--scratch", sweep.scratch_parent,
                        "Parent directory for scratch directories");
  sweep_cmd->add_flag("--no-progress", sweep.no_progress, "Never draw the progress line");
  AddTableOption(sweep_cmd, sweep.table);
  sweep_cmd->footer(kRunExitCodes);
  return sweep_cmd;
}

CLI::App* AddMergeCommand(CLI::App& app, crashbench::MergeCommand& merge) {
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

CLI::App* AddReplayCommand(CLI::App& app, crashbench::ReplayTrialCommand& replay) {
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

CLI::App* AddShrinkCommand(CLI::App& app, crashbench::ShrinkCommand& shrink) {
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

CLI::App* AddReportCommand(CLI::App& app, crashbench::ReportCommand& report) {
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

CLI::App* AddGateCommand(CLI::App& app, crashbench::GateCommand& gate) {
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

CLI::App* AddCompareCommand(CLI::App& app, crashbench::CompareCommand& compare) {
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

CLI::App* AddRecoverCommand(CLI::App& app, crashbench::RecoverCommand& recover) {
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

CLI::App* AddCleanCommand(CLI::App& app, crashbench::CleanCommand& clean) {
  CLI::App* cmd = app.add_subcommand(
      "clean",
      "Remove what dead crashbench runs left: spill and lock files in results directories, "
      "scratch directories, crashbench-oom-<pid> memory cgroups; only what is provably dead (a "
      "lock nobody holds, a pid that is gone)");
  cmd->add_option("dirs", clean.dirs,
                  "Results directories, their parents, scratch parents (default: $TMPDIR or /tmp "
                  "and results/runs)");
  cmd->footer("Exit codes: 0 done (what was removed is listed); 2 a DIR is not a directory.");
  return cmd;
}

// argv's subcommand when no such exists, else "" (CLI11: "A subcommand is required").
std::string UnknownSubcommand(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return "";
  for (const CLI::App* sub : app.get_subcommands({}))
    if (sub->get_name() == argv[1]) return "";
  return argv[1];
}

int UsageError(const CLI::App& app, const std::string& message) {
  std::string names;
  for (const CLI::App* sub : app.get_subcommands({}))
    (names += names.empty() ? "" : ", ") += sub->get_name();
  std::cerr << "crashbench: " << message << "\n(subcommands: " << names
            << "; crashbench SUBCOMMAND --help says more)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "__worker") crashbench::SpawnedWorkerMain(argv[2]);

  CLI::App app{
      "crashbench: runs write strategies in real worker processes, breaks them the way "
      "production breaks them, and reports what a downstream reader would have seen."};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.set_version_flag("--version",
                       std::string(CRASHBENCH_VERSION) + " (" + CRASHBENCH_GIT_SHA + ")");

  crashbench::RunCommand run;
  CLI::App* run_cmd = AddRunCommand(app, run);
  crashbench::VerifyCommand verify;
  CLI::App* verify_cmd = AddVerifyCommand(app, verify);
  crashbench::SweepCommand sweep;
  CLI::App* sweep_cmd = AddSweepCommand(app, sweep);
  crashbench::MergeCommand merge;
  CLI::App* merge_cmd = AddMergeCommand(app, merge);
  crashbench::ReplayTrialCommand replay;
  CLI::App* replay_cmd = AddReplayCommand(app, replay);
  crashbench::ShrinkCommand shrink;
  CLI::App* shrink_cmd = AddShrinkCommand(app, shrink);
  crashbench::ReportCommand report;
  CLI::App* report_cmd = AddReportCommand(app, report);
  CLI::App* list_cmd =
      app.add_subcommand("list", "List strategies, their options, faults and fault points");
  crashbench::GateCommand gate;
  CLI::App* gate_cmd = AddGateCommand(app, gate);
  crashbench::CompareCommand compare;
  CLI::App* compare_cmd = AddCompareCommand(app, compare);
  crashbench::RecoverCommand recover;
  CLI::App* recover_cmd = AddRecoverCommand(app, recover);
  crashbench::CleanCommand clean;
  CLI::App* clean_cmd = AddCleanCommand(app, clean);

  if (std::string unknown = UnknownSubcommand(app, argc, argv); !unknown.empty())
    return UsageError(app, "unknown subcommand '" + unknown + "'");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (argc < 2) return UsageError(app, "a subcommand is required");
    std::cerr << "crashbench: " << e.what() << "\n(crashbench " << argv[1]
              << " --help lists its options)\n";
    return 2;
  }
  if (*run_cmd) return crashbench::RunRunCommand(run);
  if (*verify_cmd) return crashbench::RunVerifyCommand(verify);
  if (*sweep_cmd) return crashbench::RunSweepCommand(sweep);
  if (*report_cmd) return crashbench::RunReportCommand(report);
  if (*list_cmd) return crashbench::RunListCommand();
  if (*merge_cmd) return crashbench::RunMergeCommand(merge);
  if (*replay_cmd) return crashbench::RunReplayTrialCommand(replay);
  if (*shrink_cmd) return crashbench::RunShrinkCommand(shrink);
  if (*gate_cmd) return crashbench::RunGateCommand(gate);
  if (*compare_cmd) return crashbench::RunCompareCommand(compare);
  if (*recover_cmd) return crashbench::RunRecoverCommand(recover);
  if (*clean_cmd) return crashbench::RunCleanCommand(clean);
  return 2;
}
