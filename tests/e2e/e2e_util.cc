#include "tests/e2e/e2e_util.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include <cstdio>
#include <cstdlib>
#include <set>

#include "harness/base/sys.h"

namespace crashbench::testing {

Scenario MakeScenario(const std::string& strategy, int workers, Workload workload, int trials) {
  Scenario s;
  s.name = strategy + "-test";
  s.strategy = strategy;
  s.workers = workers;
  s.workload = workload;
  s.trials = trials;
  s.seed = 7;
  s.deadline_ms = 20000;
  Status st = ValidateScenario(&s);
  EXPECT_TRUE(st.ok()) << st.message();
  return s;
}

Scenario WithPointKill(Scenario s, FaultPoint point, std::optional<long long> occurrence) {
  s.fault.kind = "sigkill";
  s.fault.trigger.type = TriggerType::kPoint;
  s.fault.trigger.point = point;
  s.fault.trigger.occurrence = occurrence;
  s.name += "-" + std::string(FaultPointName(point));
  return s;
}

Scenario WithRandomKill(Scenario s) {
  s.fault.kind = "sigkill";
  s.fault.trigger.type = TriggerType::kRandom;
  s.name += "-random";
  return s;
}

RunOptions TestRunOptions() {
  RunOptions opt;
  opt.jobs = 2;
  opt.self_exe = CRASHBENCH_BINARY;
  opt.measure_limits = false;
  return opt;
}

RunOutcome RunAll(const std::vector<Scenario>& scenarios, bool keep, int jobs) {
  RunOptions opt = TestRunOptions();
  opt.measure_limits = true;  // the fault-free scenarios' costs are computed as in a run
  opt.jobs = jobs;
  opt.keep = keep;
  RunOutcome out = RunScenarios(scenarios, opt);
  for (const ScenarioResult& sr : out.scenarios) {
    // A time-triggered fault can miss every trial of a short run by chance
    // (the run says so: inconclusive). Tests about firing assert it themselves.
    const TriggerType type = sr.scenario.fault.trigger.type;
    const bool timed = type == TriggerType::kRandom || type == TriggerType::kAfterMs;
    if (!(timed && sr.error.find("never fired") != std::string::npos)) {
      EXPECT_EQ(sr.error, "") << sr.scenario.name;
    }
    for (const TrialResult& t : sr.trials)
      EXPECT_EQ(t.error, "") << sr.scenario.name << " trial " << t.index;
  }
  return out;
}

bool ScratchOnTmpfs() {
  const char* tmp = std::getenv("TMPDIR");
  struct statfs fs;
  return ::statfs(tmp && *tmp ? tmp : "/tmp", &fs) == 0 &&
         fs.f_type == static_cast<decltype(fs.f_type)>(TMPFS_MAGIC);
}

std::string HangDetail(const TrialResult& t) {
  for (const Anomaly& a : t.anomalies)
    if (a.kind == AnomalyKind::kHang) return a.detail;
  return "";
}

long long Count(const TrialResult& t, AnomalyKind kind) { return t.count(kind); }

long long TotalCount(const ScenarioResult& s, AnomalyKind kind) {
  long long n = 0;
  for (const TrialResult& t : s.trials) n += Count(t, kind);
  return n;
}

int TrialsWithViolations(const ScenarioResult& s) {
  int n = 0;
  for (const TrialResult& t : s.trials) n += t.violations() > 0;
  return n;
}

int TrialsFired(const ScenarioResult& s) {
  int n = 0;
  for (const TrialResult& t : s.trials) n += !t.fired.is_null();
  return n;
}

std::string Describe(const ScenarioResult& s) {
  std::string out = s.scenario.name + ":";
  for (const TrialResult& t : s.trials) {
    out += " [trial " + std::to_string(t.index) + " fired=" + t.fired.dump() + ":";
    for (const auto& [k, n] : t.counts) out += " " + k + "=" + std::to_string(n);
    out += "]";
  }
  return out;
}

std::vector<int> ProcessesLeftInTrialGroups(const RunOutcome& outcome) {
  std::set<int> groups;
  for (const ScenarioResult& sr : outcome.scenarios)
    for (const TrialResult& t : sr.trials)
      if (t.trial_pgid > 0) groups.insert(t.trial_pgid);
  if (groups.empty())
    ADD_FAILURE() << "no trial recorded its process group: the check would be empty";
  std::vector<int> left;
  DIR* d = opendir("/proc");
  if (!d) return left;
  while (dirent* e = readdir(d)) {
    const int pid = atoi(e->d_name);
    if (pid <= 0) continue;
    Result<std::string> stat = ReadFileToString("/proc/" + std::string(e->d_name) + "/stat");
    if (!stat.ok()) continue;
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
    const size_t close = stat->rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    int ppid = 0, pgrp = 0;
    if (std::sscanf(stat->c_str() + close + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 &&
        groups.count(pgrp))
      left.push_back(pid);
  }
  closedir(d);
  return left;
}

std::vector<int> ReportedPids(const RunOutcome& outcome) {
  std::vector<int> pids;
  for (const ScenarioResult& sr : outcome.scenarios)
    for (const TrialResult& t : sr.trials)
      for (const auto& p : t.processes) pids.push_back(p.value("pid", 0));
  return pids;
}

}  // namespace crashbench::testing
