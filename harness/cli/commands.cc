#include "harness/cli/commands.h"

#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "faults/registry.h"
#include "harness/base/json_file.h"
#include "harness/base/sys.h"
#include "harness/run/run_lock.h"
#include "harness/run/runner.h"
#include "harness/run/trial_ref.h"
#include "harness/verify/verifier.h"
#include "results/chart.h"
#include "results/costs.h"
#include "results/profile.h"
#include "results/report.h"
#include "results/results.h"
#include "scenarios/default_matrix.h"
#include "strategies/strategy.h"

namespace crashbench {
namespace {

std::string SelfExe() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "crashbench";
}

std::string DefaultOutDir() {
  std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", std::gmtime(&now));
  std::string base = std::string("results/runs/") + stamp;
  std::string dir = base;
  for (int i = 2; ::access(dir.c_str(), F_OK) == 0; ++i) dir = base + "-" + std::to_string(i);
  return dir;
}

int InputError(const std::string& message) {
  std::cerr << "crashbench: " << message << "\n";
  return 2;
}

// What the harness needs from the kernel; without it nothing can be tested
// here (exit 125, as git bisect run reads it: skip this commit).
int CheckCanTestHere(const std::vector<Scenario>& scenarios) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0));
  if (fd < 0) {
    std::cerr << "crashbench: cannot test here: pidfd_open failed (" << std::strerror(errno)
              << "); Linux 5.3 or later is needed\n";
    return 125;
  }
  ::close(fd);
  // A scenario that names a real fault method ("tmpfs", "cgroup") asks for
  // this machine's kernel to do it; "auto" would have fallen back instead.
  std::set<std::pair<std::string, std::string>> probed;
  for (const Scenario& s : scenarios) {
    if (!probed.insert({s.fault.kind, s.fault.method}).second) continue;
    if (Status st = ProbeFaultMethod(s.fault.kind, s.fault.method); !st.ok()) {
      std::cerr << "crashbench: cannot test here: scenario '" << s.name << "' (" << s.source
                << ") asks for " << s.fault.kind << " method " << s.fault.method << ": "
                << st.message() << " (use \"method\": \"auto\" to fall back)\n";
      return 125;
    }
  }
  return 0;
}

// The scenarios to run: the built-in matrix, or every scenario of the files.
Result<std::vector<Scenario>> LoadRunScenarios(const RunCommand& cmd) {
  std::vector<Scenario> scenarios;
  if (cmd.files.empty()) {
    scenarios = DefaultMatrix(cmd.quick);
  } else {
    if (cmd.quick)
      return Status::Error("--quick applies to the built-in matrix, not to scenario files");
    for (const std::string& f : cmd.files) {
      Result<std::vector<Scenario>> loaded = LoadScenarioFile(f);
      if (!loaded.ok()) return loaded.status();
      scenarios.insert(scenarios.end(), loaded->begin(), loaded->end());
    }
  }
  return scenarios;
}

// --scenario: only the scenarios named, in the order named.
Status PickScenarios(const RunCommand& cmd, std::vector<Scenario>* all) {
  std::vector<Scenario>& scenarios = *all;
  if (!cmd.only_scenarios.empty()) {
    std::vector<Scenario> picked;
    for (const std::string& name : cmd.only_scenarios) {
      auto it = std::find_if(scenarios.begin(), scenarios.end(),
                             [&](const Scenario& s) { return s.name == name; });
      if (it == scenarios.end()) {
        std::string valid;
        for (const Scenario& s : scenarios) (valid += valid.empty() ? "" : ", ") += s.name;
        return Status::Error("no scenario named '" + name + "' (valid names: " + valid + ")");
      }
      picked.push_back(*it);
    }
    scenarios = picked;
  }
  return Status::Ok();
}

// --trials and --start-method override every scenario's; --trial must exist.
Status ApplyOverrides(const RunCommand& cmd, std::vector<Scenario>* all) {
  for (Scenario& s : *all) {
    if (cmd.trials) s.trials = *cmd.trials;
    if (cmd.start_method)
      s.start_method = *cmd.start_method == "spawn" ? StartMethod::kSpawn : StartMethod::kFork;
    if (cmd.trial && !cmd.explore && *cmd.trial >= s.trials)
      return Status::Error("--trial " + std::to_string(*cmd.trial) + ": scenario '" + s.name +
                           "' has trials 0.." + std::to_string(s.trials - 1));
  }
  return Status::Ok();
}

// results.json could not be written: says truthfully where the finished
// trials are. The spill holds the trials spilled before any write failed
// (those after stay in memory and are lost with this process).
int ResultsNotWritten(const Status& st, const RunOutcome& outcome, const std::string& out_dir) {
  std::string kept = "; no finished trial is kept";
  long long spilled = 0;
  for (const ScenarioResult& sr : outcome.scenarios)
    for (const TrialResult& t : sr.trials) spilled += t.spill_offset >= 0;
  if (!outcome.spill_path.empty() && spilled > 0)
    kept = "; the " + std::to_string(spilled) + " trials spilled before it are kept in " +
           outcome.spill_path + " (crashbench recover " + out_dir + " turns them into results)";
  else if (!outcome.spill_path.empty())
    ::unlink(outcome.spill_path.c_str());
  std::cerr << "crashbench: could not write results: " << st.message() << kept << "\n";
  return 3;
}

// The tables on stdout, results.json, the reports; the run's exit code.
int ReportRun(const RunCommand& cmd, const RunOutcome& outcome, const std::string& out_dir,
              int shard_index, int shard_count) {
  ReplayInfo replay{cmd.files.size() == 1 ? cmd.files[0] : "", cmd.quick, cmd.explore, ""};
  if (cmd.trials) replay.overrides += "--trials " + std::to_string(*cmd.trials);
  if (cmd.start_method)
    replay.overrides +=
        std::string(replay.overrides.empty() ? "" : " ") + "--start-method " + *cmd.start_method;
  replay.self_exe = SelfExecutable();
  replay.results_path = out_dir + "/results.json";
  replay.scratch_parent = cmd.scratch_parent;
  std::cout << RenderTableFor(outcome, cmd.table, STDOUT_FILENO);
  if (std::string costs = RenderCostTable(outcome); !costs.empty()) std::cout << "\n" << costs;
  if (cmd.profile) std::cout << "\n" << RenderProfileTable(outcome);
  std::string failures = RenderFailures(outcome, replay, 10);
  if (!failures.empty()) std::cout << "\n" << failures;
  if (cmd.keep) std::cout << "scratch directories kept under " << outcome.scratch_root << "\n";
  if (!outcome.results_lost.empty())
    std::cerr << "crashbench: stopped at once: a finished trial could not be kept ("
              << outcome.results_lost << ")\n";
  if (Status st = WriteResultsFile(out_dir + "/results.json", outcome, replay); !st.ok())
    return ResultsNotWritten(st, outcome, out_dir);
  if (!outcome.spill_path.empty()) ::unlink(outcome.spill_path.c_str());
  if (shard_count > 1)
    std::cout << "shard " << shard_index << "/" << shard_count
              << " of the trials; join the shards with crashbench merge\n";
  std::cout << "results: " << out_dir << "/results.json\n";
  if (!cmd.no_reports) WriteRunReports(out_dir + "/results.json", out_dir, std::cout);
  if (!outcome.results_lost.empty()) return 3;
  if (outcome.interrupted) std::cerr << "crashbench: interrupted; partial results written\n";
  return RunExitCode(outcome);
}

}  // namespace

int RunRunCommand(const RunCommand& cmd) {
  Result<std::vector<Scenario>> loaded = LoadRunScenarios(cmd);
  if (!loaded.ok()) return InputError(loaded.status().message());
  std::vector<Scenario> scenarios = std::move(*loaded);
  int shard_index = 0, shard_count = 1;
  if (int code = ResolveShard(cmd, &shard_index, &shard_count); code != 0) return code;
  if (Status st = PickScenarios(cmd, &scenarios); !st.ok()) return InputError(st.message());
  if (Status st = ApplyOverrides(cmd, &scenarios); !st.ok()) return InputError(st.message());

  // The results directory exists before the run: every finished trial is
  // spilled there, so memory stays flat however many trials run.
  // Every path the run writes is checked, and --out locked, before the first trial.
  const std::string out_dir = cmd.out_dir.empty() ? DefaultOutDir() : cmd.out_dir;
  if (int code = CheckCanTestHere(scenarios); code != 0) return code;
  RunLock out_lock;
  if (int code = PrepareRunPaths(out_dir, cmd.scratch_parent, scenarios, cmd.jobs, &out_lock);
      code != 0)
    return code;
  RunOptions opt;
  opt.spill_path = out_dir + "/" + kSpillFileName;
  opt.jobs = cmd.jobs;
  opt.keep = cmd.keep;
  opt.profile = cmd.profile;
  opt.only_trial = cmd.trial;
  opt.random_window_us = cmd.random_window_us;
  opt.explore = cmd.explore;
  opt.max_states = cmd.max_states;
  opt.scratch_parent = cmd.scratch_parent;
  opt.self_exe = SelfExe();
  opt.progress = !cmd.no_progress && ::isatty(STDERR_FILENO);
  opt.shard_index = shard_index;
  opt.shard_count = shard_count;
  InstallInterruptHandlers();
  RunOutcome outcome = RunScenarios(scenarios, opt);
  for (const std::string& line : outcome.leftovers_removed) std::cerr << line << "\n";
  const int code = ReportRun(cmd, outcome, out_dir, shard_index, shard_count);
  // Spilled trials left for recover keep their lock file: it proves them a dead run's.
  if (::access(opt.spill_path.c_str(), F_OK) == 0) out_lock.Abandon();
  return code;
}

int RunSweepCommand(const SweepCommand& cmd) {
  std::vector<std::string> strategies = cmd.strategies;
  if (strategies.empty())
    for (const StrategyInfo& info : AllStrategies()) strategies.emplace_back(info.name);
  std::vector<Scenario> scenarios;
  for (const std::string& strategy : strategies) {
    std::vector<std::string> fsyncs = cmd.fsync;
    if (fsyncs.empty()) fsyncs.push_back("");  // the strategy's default
    for (int workers : cmd.workers)
      for (long long bytes : cmd.record_bytes)
        for (const std::string& fsync : fsyncs) {
          Scenario s;
          s.strategy = strategy;
          s.workers = workers;
          s.workload = {cmd.tasks, cmd.records_per_task, bytes};
          s.trials = cmd.repetitions;
          s.seed = 1;
          s.deadline_ms = 120000;
          if (!fsync.empty()) s.options["fsync"] = fsync;
          Status st = ValidateScenario(&s);
          if (!st.ok()) return InputError("sweep: " + st.message());
          s.name = strategy + " w=" + std::to_string(workers) + " rec=" + std::to_string(bytes) +
                   " fsync=" + s.options.at("fsync");
          scenarios.push_back(std::move(s));
        }
  }
  if (int code = CheckScratchParent(cmd.scratch_parent); code != 0) return code;
  if (struct stat st{};
      !cmd.out_dir.empty() && ::stat(cmd.out_dir.c_str(), &st) == 0 && !S_ISDIR(st.st_mode))
    return InputError("--out " + cmd.out_dir + ": exists and is not a directory");
  RunOptions opt;
  opt.jobs = 1;
  opt.scratch_parent = cmd.scratch_parent;
  opt.self_exe = SelfExe();
  opt.progress = !cmd.no_progress && ::isatty(STDERR_FILENO);
  InstallInterruptHandlers();
  RunOutcome outcome = RunScenarios(scenarios, opt);
  std::cout << RenderTableFor(outcome, cmd.table, STDOUT_FILENO) << "\n"
            << RenderCostTable(outcome);
  const std::string out_dir = cmd.out_dir.empty() ? DefaultOutDir() + "-sweep" : cmd.out_dir;
  Status st = MakeDirs(out_dir);
  if (st.ok()) st = WriteResultsFile(out_dir + "/results.json", outcome, ReplayInfo{});
  if (st.ok())
    st = WriteFileAtomic(
        out_dir + "/chart.svg",
        RenderCostChartSvg(outcome, "crashbench sweep: records/s by configuration"));
  if (!st.ok()) {
    std::cerr << "crashbench: could not write results: " << st.message() << "\n";
    return 3;
  }
  std::cout << "results: " << out_dir << "/results.json\nchart: " << out_dir << "/chart.svg\n";
  return RunExitCode(outcome);
}

std::vector<std::string> VerifyNotChecked(const VerifyCommand& cmd) {
  std::vector<std::string> unchecked;
  if (cmd.acked_file.empty()) unchecked.emplace_back(kVerifyWithoutAcked);
  if (!cmd.tasks) unchecked.emplace_back(kVerifyWithoutTasks);
  return unchecked;
}

int RunVerifyCommand(const VerifyCommand& cmd) {
  VerifyOptions opt;
  opt.layout = *LayoutFromName(cmd.layout);
  opt.tasks = cmd.tasks;
  opt.records_per_task = cmd.records_per_task;
  if (!cmd.acked_file.empty()) {
    Result<nlohmann::json> read = ReadJsonFile(cmd.acked_file);
    if (!read.ok()) return InputError("--acked: " + read.status().message());
    const nlohmann::json& j = *read;
    bool ok = j.is_array();
    if (ok)
      for (const auto& v : j) ok &= v.is_number_integer() && v.get<long long>() >= 0;
    if (!ok)
      return InputError(
          cmd.acked_file +
          ": must hold a JSON array of task ids (non-negative integers), e.g. [0,1,5]");
    for (const auto& v : j) opt.acked.insert(v.get<long long>());
  }
  if (Status st = CheckVerifyOptions(opt); !st.ok()) return InputError(st.message());
  Result<VerifyReport> report = VerifyDirectory(cmd.dir, opt);
  if (!report.ok()) return InputError(report.status().message());
  const long long violations = CountViolations(report->anomalies);
  const std::vector<std::string> unchecked = VerifyNotChecked(cmd);
  if (cmd.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const Anomaly& a : report->anomalies) {
      list.push_back({{"kind", std::string(AnomalyName(a.kind))},
                      {"file", a.file},
                      {"offset", a.offset},
                      {"line", a.line},
                      {"task", a.task},
                      {"seq", a.seq},
                      {"excerpt", a.excerpt}});
      if (!a.detail.empty()) list.back()["detail"] = a.detail;
    }
    std::cout << nlohmann::json{{"anomalies", list},
                                {"counts", CountAnomalies(report->anomalies)},
                                {"violations", violations},
                                {"records_visible", report->records_visible},
                                {"not_checked", unchecked}}
                     .dump(2)
              << "\n";
  } else {
    for (const Anomaly& a : report->anomalies) {
      std::cout << AnomalyName(a.kind) << (IsViolation(a.kind) ? "" : " (not a violation)");
      if (!a.file.empty()) std::cout << "  " << a.file;
      if (a.line >= 0) std::cout << ":" << a.line;
      if (a.offset >= 0) std::cout << " @" << a.offset;
      if (a.task >= 0) std::cout << "  task " << a.task;
      if (a.seq >= 0) std::cout << " seq " << a.seq;
      if (!a.detail.empty()) std::cout << "  " << a.detail;
      if (!a.excerpt.empty()) std::cout << "\n    " << a.excerpt;
      std::cout << "\n";
    }
    std::cout << report->records_visible << " records visible; " << violations << " violation"
              << (violations == 1 ? "" : "s");
    for (const auto& [k, n] : CountAnomalies(report->anomalies)) std::cout << "; " << k << " " << n;
    std::cout << "\n";
    if (!unchecked.empty()) {
      std::cout << "not checked:";
      for (size_t i = 0; i < unchecked.size(); ++i)
        std::cout << (i ? ";" : "") << " " << unchecked[i];
      std::cout << "\n";
    }
  }
  return violations > 0 ? 1 : 0;
}

}  // namespace crashbench
