// crashbench's command line. Exceptions stop here and become messages; exit
// codes follow git bisect run (DESIGN.md): 0 good, 1 bad, 2 usage or input
// error, 3 inconclusive or harness failure, 125 cannot test here.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "harness/commands.h"
#include "harness/pool.h"

namespace {

constexpr const char* kExitCodes =
    "Exit codes (as git bisect run reads them): 0 every expectation held; 1 an expectation "
    "failed; 2 usage or input error; 3 the harness failed or the run was interrupted; "
    "125 cannot test here.";

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "__worker") crashbench::SpawnedWorkerMain(argv[2]);

  CLI::App app{"crashbench: runs write strategies in real worker processes, breaks them the way "
               "production breaks them, and reports what a downstream reader would have seen."};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(CRASHBENCH_VERSION) + " (" + CRASHBENCH_GIT_SHA + ")");

  crashbench::RunCommand run;
  CLI::App* run_cmd = app.add_subcommand("run", "Run scenarios (default: the built-in matrix) and write results.json");
  run_cmd->add_option("files", run.files, "Scenario files (JSON: one object or an array)")->check(CLI::ExistingFile);
  run_cmd->add_flag("--quick", run.quick, "A few-second version of the built-in matrix");
  run_cmd->add_option("--scenario", run.only_scenarios, "Run only the scenarios with these names");
  run_cmd->add_option("--trial", run.trial, "Run only this trial index (replay)")->check(CLI::NonNegativeNumber);
  run_cmd->add_option("--trials", run.trials, "Override every scenario's trial count")->check(CLI::PositiveNumber);
  run_cmd->add_option("--jobs,-j", run.jobs, "Trials run at once")->check(CLI::Range(1, 256));
  run_cmd->add_flag("--keep", run.keep, "Keep every trial's scratch directory");
  run_cmd->add_flag("--explore", run.explore,
                    "Point triggers: one trial per (fault point, occurrence) reachable in a fault-free run");
  run_cmd->add_option("--start-method", run.start_method, "How workers start: fork or spawn (re-exec)")
      ->check(CLI::IsMember({"fork", "spawn"}));
  run_cmd->add_option("--out", run.out_dir, "Where results.json goes (default results/runs/<timestamp>)");
  run_cmd->add_option("--random-window-us", run.random_window_us,
                      "Replay: the window random moments were drawn from")->check(CLI::PositiveNumber);
  run_cmd->add_option("--scratch", run.scratch_parent, "Parent directory for scratch directories (default $TMPDIR or /tmp)");
  run_cmd->add_flag("--no-progress", run.no_progress, "Never draw the progress line");
  run_cmd->add_flag("--no-reports", run.no_reports,
                    "Write only results.json (no summary.md, junit.xml, report.html, bench.json)");

  crashbench::VerifyCommand verify;
  CLI::App* verify_cmd = app.add_subcommand("verify", "Judge an output directory as a downstream reader would");
  verify_cmd->add_option("dir", verify.dir, "The output directory")->required();
  verify_cmd->add_option("--layout", verify.layout, "shared (records.jsonl) or per-task (task-<T>.json)")
      ->required()->check(CLI::IsMember({"shared", "per-task"}));
  verify_cmd->add_option("--tasks", verify.tasks, "Tasks 0..N-1 were submitted")->check(CLI::PositiveNumber);
  verify_cmd->add_option("--records-per-task", verify.records_per_task, "Records in every task")->check(CLI::PositiveNumber);
  verify_cmd->add_option("--acked", verify.acked_file, "JSON array of acknowledged task ids");
  verify_cmd->add_flag("--json", verify.json, "Print one JSON object");

  crashbench::SweepCommand sweep;
  CLI::App* sweep_cmd = app.add_subcommand("sweep", "Measure costs over a grid of configurations: one table, one chart");
  sweep_cmd->add_option("--strategy", sweep.strategies, "Strategies (default: all)")->delimiter(',');
  sweep_cmd->add_option("--workers", sweep.workers, "Worker counts, e.g. 1,2,4")->delimiter(',')->check(CLI::Range(1, 256));
  sweep_cmd->add_option("--record-bytes", sweep.record_bytes, "Record sizes, e.g. 256,4096")->delimiter(',')->check(CLI::Range(1, 16 << 20));
  sweep_cmd->add_option("--fsync", sweep.fsync, "fsync options, e.g. none,task (default: each strategy's)")->delimiter(',');
  sweep_cmd->add_option("--tasks", sweep.tasks, "Tasks per run")->check(CLI::PositiveNumber);
  sweep_cmd->add_option("--records-per-task", sweep.records_per_task, "Records per task")->check(CLI::PositiveNumber);
  sweep_cmd->add_option("--repetitions", sweep.repetitions, "Runs per configuration")->check(CLI::Range(1, 1000));
  sweep_cmd->add_option("--out", sweep.out_dir, "Where results.json and chart.svg go");
  sweep_cmd->add_option("--scratch", sweep.scratch_parent, "Parent directory for scratch directories");
  sweep_cmd->add_flag("--no-progress", sweep.no_progress, "Never draw the progress line");

  crashbench::ReportCommand report;
  CLI::App* report_cmd = app.add_subcommand(
      "report", "Write summary.md, junit.xml, report.html and bench.json from a results file; on GitHub "
                "Actions also append the step summary and print ::error annotations");
  report_cmd->add_option("results", report.results, "A results.json written by crashbench run")->required();
  report_cmd->add_option("--out", report.out_dir, "Where the reports go (default: beside the results file)");
  report_cmd->footer("Exit codes: 0 the reports were written (whatever the results say; run gives the "
                     "verdict); 2 not a results file; 3 a report could not be written.");

  CLI::App* list_cmd = app.add_subcommand("list", "List strategies, their options, faults and fault points");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (*run_cmd) return crashbench::RunRunCommand(run);
  if (*verify_cmd) return crashbench::RunVerifyCommand(verify);
  if (*sweep_cmd) return crashbench::RunSweepCommand(sweep);
  if (*report_cmd) return crashbench::RunReportCommand(report);
  if (*list_cmd) return crashbench::RunListCommand();
  return 2;
}
