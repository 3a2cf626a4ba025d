// crashbench's command line. Exceptions stop here and become messages; exit
// codes follow git bisect run (DESIGN.md): 0 good, 1 bad, 2 usage or input
// error, 3 inconclusive or harness failure, 125 cannot test here.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "harness/cli/commands.h"
#include "harness/cli/subcommand_setup.h"
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
  run_cmd
      ->add_option("--max-states", run.max_states,
                   "Power loss: crash states each trial checks at most (default 100000; a "
                   "scenario's \"states\": N bounds it further)")
      ->check(Between(1, 1LL << 40));
  run_cmd->add_option("--scratch", run.scratch_parent,
                      "Parent directory for scratch directories (default $TMPDIR or /tmp)");
  run_cmd->add_flag("--no-progress", run.no_progress, "Never draw the progress line");
  run_cmd->add_option("--shard", run.shard,
                      "I/N: run the trials whose ordinal is I modulo N (default: GTEST_SHARD_INDEX/"
                      "GTEST_TOTAL_SHARDS when set); join shards with merge");
  run_cmd->add_flag("--no-reports", run.no_reports,
                    "Write only results.json (no summary.md, junit.xml, report.html, bench.json)");
  run_cmd->add_flag("--profile", run.profile,
                    "Print where each trial's time goes, stage by stage (median and spread)");
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
  crashbench::TapCliCommand tap;
  CLI::App* tap_cmd = AddTapCommand(app, tap);

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
  if (*tap_cmd) return crashbench::RunTapCliCommand(tap);
  return 2;
}
