// The subcommands behind the CLI, separated from argument parsing so tests can
// call them. Each returns the process exit code.
#pragma once

#include <optional>
#include <string>
#include <vector>

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
  bool explore = false;
  std::string scratch_parent;
  bool no_progress = false;
  bool no_reports = false;  // skip summary.md, junit.xml, report.html, bench.json
};
int RunRunCommand(const RunCommand& cmd);

struct VerifyCommand {
  std::string dir;
  std::string layout;
  std::optional<long long> tasks;
  std::optional<long long> records_per_task;
  std::string acked_file;
  bool json = false;
};
int RunVerifyCommand(const VerifyCommand& cmd);

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
};
int RunSweepCommand(const SweepCommand& cmd);

int RunListCommand();

// summary.md, junit.xml, report.html and bench.json from one results file
// (results/report.h); in harness/cmd_report.cc.
struct ReportCommand {
  std::string results;
  std::string out_dir;  // "" : beside the results file
};
int RunReportCommand(const ReportCommand& cmd);

}  // namespace crashbench
