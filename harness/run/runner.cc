#include "harness/run/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <memory>

#include "harness/base/sys.h"

namespace crashbench {
namespace {

int g_interrupt_fd = -1;  // write end of the self-pipe the signal handler uses
UniqueFd g_interrupt_r;

void OnInterrupt(int) {
  char b = 'i';
  if (g_interrupt_fd >= 0) (void)!::write(g_interrupt_fd, &b, 1);
}

bool Interrupted() {
  if (!g_interrupt_r.valid()) return false;
  pollfd p{g_interrupt_r.get(), POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

std::string FsType(const std::string& path) {
  struct statfs s;
  if (::statfs(path.c_str(), &s) != 0) return "unknown";
  switch (static_cast<unsigned long>(s.f_type)) {
    case 0xEF53:
      return "ext4";
    case 0x01021994:
      return "tmpfs";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x794C7630:
      return "overlayfs";
    case 0x6969:
      return "nfs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(s.f_type));
      return buf;
    }
  }
}

struct Running {
  TrialPlan plan;
  std::unique_ptr<TrialJob> job;
  long long backstop_us = 0;
  ScenarioResult* into = nullptr;
  bool done = false;
};

class Progress {
 public:
  Progress(bool enabled, long long total) : enabled_(enabled), total_(total) {}
  void Tick(const std::string& label, long long violations) {
    ++done_;
    long long now = NowMicros();
    if (!enabled_ || (now - last_ < 100000 && done_ < total_)) return;
    last_ = now;
    std::fprintf(stderr, "\r\033[K[%lld/%lld] %s  trials with violations so far: %lld", done_,
                 total_, label.c_str(), violations);
    std::fflush(stderr);
  }
  void Done() {
    if (enabled_ && done_ > 0) std::fprintf(stderr, "\r\033[K");
  }

 private:
  bool enabled_;
  long long total_, done_ = 0, last_ = 0;
};

}  // namespace

std::map<std::string, int> ScenarioResult::forbidden_seen() const {
  std::map<std::string, int> seen;
  for (const TrialResult& t : trials) {
    for (AnomalyKind k : scenario.forbid)
      if (t.count(k) > 0) seen[std::string(AnomalyName(k))]++;
  }
  return seen;
}

void InstallInterruptHandlers() {
  UniqueFd w;
  if (!MakePipe(&g_interrupt_r, &w, O_NONBLOCK).ok()) return;
  g_interrupt_fd = w.Release();
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

// Kills a whole trial (its supervisor, workers and writer share the group
// whose id is the supervisor's pid, unreaped until here, so the id cannot be
// recycled), reaps the supervisor, then, when this process is a child
// subreaper, the orphaned members too, waiting at most five seconds for any
// stuck in uninterruptible I/O.
void KillTrialGroup(Child& trial) {
  const pid_t pgid = trial.pid();
  ::kill(-pgid, SIGKILL);
  trial.Reap();
  const long long give_up = NowMicros() + 5000000;
  while (NowMicros() < give_up) {
    siginfo_t info{};
    if (::waitid(P_PGID, static_cast<id_t>(pgid), &info, WEXITED | WNOHANG) != 0)
      return;                               // ECHILD: none left
    if (info.si_pid == 0) ::usleep(10000);  // members still dying
  }
}

void CheckFaultFired(ScenarioResult* sr, bool interrupted) {
  const bool fired = std::any_of(sr->trials.begin(), sr->trials.end(),
                                 [](const TrialResult& t) { return !t.fired.is_null(); });
  if (sr->error.empty() && !interrupted && sr->scenario.fault.kind != "none" &&
      !sr->trials.empty() && !fired) {
    const TriggerType type = sr->scenario.fault.trigger.type;
    sr->input_error = type == TriggerType::kPoint || type == TriggerType::kAfterRecords;
    sr->error = "the fault never fired in " + std::to_string(sr->trials.size()) + " trial" +
                (sr->trials.size() == 1 ? "" : "s") +
                (sr->input_error ? " (the trigger lies beyond what the workload reaches)"
                                 : " (every moment fell after the run had ended)");
  }
}

RunOutcome RunScenarios(const std::vector<Scenario>& scenarios, const RunOptions& options) {
  RunOutcome out;
  out.shard_index = options.shard_index;
  out.shard_count = std::max(1, options.shard_count);
  // A trial belongs to this shard when its ordinal over the whole run is
  // shard_index modulo shard_count; the ordinal counts every trial of every
  // scenario in order, so slices differ by at most one trial.
  long long ordinal_base = 0;
  auto in_shard = [&](long long ordinal) { return ordinal % out.shard_count == out.shard_index; };
  const char* tmp = getenv("TMPDIR");
  std::string parent =
      !options.scratch_parent.empty() ? options.scratch_parent : (tmp && *tmp ? tmp : "/tmp");
  std::string root = parent + "/crashbench-XXXXXX";
  if (!::mkdtemp(root.data())) {
    ScenarioResult r;
    r.error = "cannot create a scratch directory under " + parent;
    out.scenarios.push_back(r);
    return out;
  }
  out.scratch_root = root;
  out.fs_type = FsType(root);

  long long total = 0;
  for (const Scenario& s : scenarios) total += options.only_trial ? 1 : s.trials;
  if (out.shard_count > 1)
    total = std::max(0LL, (total - out.shard_index + out.shard_count - 1) / out.shard_count);
  Progress progress(options.progress, total);
  long long violating_trials = 0;

  // A fault-free run of the scenario, to completion: how long it takes and how
  // often each fault point is reached. Random moments and unspecified
  // occurrences are drawn from it; --explore enumerates its visits.
  auto calibrate = [&](ScenarioResult& sr, const TrialPlan& base) -> bool {
    TrialPlan cal = base;
    cal.fault_free = true;
    cal.index = -1;
    cal.dir = root + "/calibration-" + std::to_string(&sr - out.scenarios.data());
    // Three fault-free runs; the window for random moments is the fastest,
    // so a run slowed by passing load can only move moments earlier in a
    // trial, never past its end. Visit counts do not depend on timing.
    TrialResult t;
    for (int run = 0; run < 3; ++run) {
      if (Status s = MakeDirs(cal.dir); !s.ok()) {
        sr.error = s.message();
        return false;
      }
      Result<TrialJob> job = TrialJob::Start(cal);
      if (!job.ok()) {
        sr.error = job.status().message();
        return false;
      }
      while (!job->ReadSome()) {
        pollfd p{job->result_fd(), POLLIN, 0};
        ::poll(&p, 1, 100);
        if (Interrupted()) return false;
      }
      TrialResult one = job->Finish(cal);
      (void)RemoveTree(cal.dir);
      ::unlink((cal.dir + ".stderr").c_str());
      if (!one.error.empty()) {
        sr.error = "calibration run failed: " + one.error;
        return false;
      }
      if (run == 0 || one.observed.duration_us < t.observed.duration_us) t = std::move(one);
    }
    sr.calibration = t.observed;
    const TriggerSpec& trig = sr.scenario.fault.trigger;
    const int role = sr.scenario.fault.target == FaultTarget::kWriter ? 1 : 0;
    if (trig.type == TriggerType::kPoint &&
        t.observed.point_counts[static_cast<size_t>(role)][static_cast<size_t>(trig.point)] == 0) {
      std::string reached;
      for (int p = 0; p < kNumFaultPoints; ++p)
        if (t.observed.point_counts[static_cast<size_t>(role)][static_cast<size_t>(p)] > 0)
          (reached += reached.empty() ? "" : ", ") += FaultPointName(static_cast<FaultPoint>(p));
      sr.error = std::string("the ") + (role ? "writer" : "workers") + " of strategy '" +
                 sr.scenario.strategy + "' never reach fault point '" +
                 std::string(FaultPointName(trig.point)) + "' (they reach: " + reached + ")";
      sr.input_error = true;
      return false;
    }
    return true;
  };

  out.scenarios.reserve(scenarios.size());
  std::deque<Running> queue;
  for (size_t si = 0; si < scenarios.size(); ++si) {
    out.scenarios.push_back(ScenarioResult{scenarios[si]});
    ScenarioResult& sr = out.scenarios.back();
    const Scenario& s = sr.scenario;
    if (NeedsCalibration(s) && options.random_window_us &&
        s.fault.trigger.type == TriggerType::kRandom) {
      sr.calibration = Calibration{*options.random_window_us, {}};
    }
    // Calibration runs here, before any trial starts, with nothing else
    // running: its own trial deadline bounds it.
    std::vector<std::pair<FaultPoint, long long>> pairs;
    const bool explore =
        options.explore && s.fault.kind != "none" && s.fault.trigger.type == TriggerType::kPoint;
    // A shard calibrates only what it runs trials of (--explore always:
    // the trial count itself comes from the calibration).
    bool shard_has_trials = false;
    for (long long i = 0; i < s.trials && !shard_has_trials; ++i)
      shard_has_trials = in_shard(ordinal_base + i);
    if ((NeedsCalibration(s) || explore) && !sr.calibration && (shard_has_trials || explore)) {
      TrialPlan base;
      base.scenario = &sr.scenario;
      base.self_exe = options.self_exe;
      if (!calibrate(sr, base)) {
        if (Interrupted()) out.interrupted = true;
        ordinal_base += s.trials;
        continue;
      }
    }
    // --explore: one trial per (fault point, occurrence) the targeted
    // processes reach in a fault-free run, in a fixed order, so trial N is the
    // same pair in every run of the same scenario.
    if (explore) {
      const size_t role = s.fault.target == FaultTarget::kWriter ? 1 : 0;
      for (int p = 0; p < kNumFaultPoints; ++p)
        for (long long k = 1; k <= sr.calibration->point_counts[role][static_cast<size_t>(p)]; ++k)
          pairs.emplace_back(static_cast<FaultPoint>(p), k);
      sr.scenario.trials = static_cast<int>(pairs.size());
    }
    const int first = options.only_trial ? *options.only_trial : 0;
    const int last = options.only_trial ? *options.only_trial + 1 : sr.scenario.trials;
    if (first >= sr.scenario.trials) {
      sr.error = "trial " + std::to_string(first) + " does not exist (the scenario has " +
                 std::to_string(sr.scenario.trials) + ")";
      sr.input_error = true;
      continue;
    }
    const long long base_ordinal = ordinal_base;
    ordinal_base += sr.scenario.trials;
    for (int i = first; i < last; ++i) {
      if (!in_shard(base_ordinal + i)) continue;
      Running r;
      r.plan.scenario = &sr.scenario;
      r.plan.index = i;
      r.plan.seed = TrialSeed(s.seed, i);
      r.plan.dir = root + "/" + std::to_string(si) + "-" + std::to_string(i);
      r.plan.self_exe = options.self_exe;
      if (!pairs.empty()) r.plan.explore = pairs[static_cast<size_t>(i)];
      r.into = &sr;
      queue.push_back(std::move(r));
    }
  }

  std::vector<Running> running;
  auto start = [&](Running r) -> bool {
    ScenarioResult& sr = *r.into;
    if (!sr.error.empty()) return false;
    r.plan.armed = ArmFault(sr.scenario, r.plan.seed, sr.calibration ? &*sr.calibration : nullptr);
    if (r.plan.explore) {
      r.plan.armed.point = r.plan.explore->first;
      r.plan.armed.occurrence = r.plan.explore->second;
    }
    if (Status s = MakeDirs(r.plan.dir); !s.ok()) {
      sr.error = s.message();
      return false;
    }
    Result<TrialJob> job = TrialJob::Start(r.plan);
    if (!job.ok()) {
      sr.error = job.status().message();
      return false;
    }
    r.job = std::make_unique<TrialJob>(std::move(*job));
    // The trial enforces the scenario's deadline itself; this backstop only
    // catches a harness that is itself stuck (verification included).
    r.backstop_us = NowMicros() + (sr.scenario.deadline_ms + 30000) * 1000;
    running.push_back(std::move(r));
    return true;
  };
  UniqueFd spill;
  long long spill_size = 0;
  out.spill_path = options.spill_path;
  if (!options.spill_path.empty()) {
    spill.Reset(::open(options.spill_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!spill.valid()) out.spill_path.clear();  // keep every trial in memory instead
  }
  auto finish = [&](Running& r) {
    TrialResult t = r.job->Finish(r.plan);
    t.trial_pgid = r.job->child().pid();
    if (options.keep) {
      t.kept_dir = r.plan.dir;
    } else {
      (void)RemoveTree(r.plan.dir);
      ::unlink((r.plan.dir + ".stderr").c_str());
    }
    if (spill.valid()) {
      const std::string line = TrialResultToJson(t, false).dump() + "\n";
      if (!WriteFull(spill.get(), line.data(), line.size()).ok()) {
        // A partial line must not shift later offsets: cut it off and stop
        // spilling; this trial and later ones stay in memory whole.
        (void)!::ftruncate(spill.get(), spill_size);
        spill.Reset();
      } else {
        t.spill_offset = spill_size;
        spill_size += static_cast<long long>(line.size());
        // Keep what summaries, tables and costs need; the rest is on disk.
        std::vector<Anomaly>().swap(t.anomalies);
        t.processes = nlohmann::json::array();
        if (r.into->scenario.fault.kind != "none") std::vector<long long>().swap(t.task_latency_us);
      }
    }
    if (t.violations() > 0) ++violating_trials;
    progress.Tick(r.into->scenario.name + " trial " + std::to_string(r.plan.index),
                  violating_trials);
    r.into->trials.push_back(std::move(t));
    r.done = true;
  };

  while (!queue.empty() || !running.empty()) {
    if (Interrupted()) {
      out.interrupted = true;
      break;
    }
    // A fault-free trial is also a cost measurement: it runs alone, so that
    // its timings are not another trial's load.
    auto measures = [](const Running& r) { return r.into->scenario.fault.kind == "none"; };
    while (!queue.empty() && static_cast<int>(running.size()) < std::max(1, options.jobs)) {
      if (std::any_of(running.begin(), running.end(), measures)) break;
      const bool alone = measures(queue.front());
      if (alone && !running.empty()) break;
      Running r = std::move(queue.front());
      queue.pop_front();
      if (!start(std::move(r)) && Interrupted()) break;
      if (alone) break;
    }
    if (running.empty()) continue;
    std::vector<pollfd> fds;
    for (Running& r : running) fds.push_back({r.job->result_fd(), POLLIN, 0});
    if (g_interrupt_r.valid()) fds.push_back({g_interrupt_r.get(), POLLIN, 0});
    ::poll(fds.data(), fds.size(), 200);
    for (Running& r : running) {
      if (r.job->ReadSome()) {
        finish(r);
      } else if (NowMicros() > r.backstop_us) {
        KillTrialGroup(r.job->child());
        finish(r);
      }
    }
    std::erase_if(running, [](const Running& r) { return r.done; });
  }
  // Interrupted: kill every running trial by its process group (the group id
  // is the trial process's pid, which cannot be recycled before we reap it).
  for (Running& r : running) {
    KillTrialGroup(r.job->child());
    (void)RemoveTree(r.plan.dir);
    ::unlink((r.plan.dir + ".stderr").c_str());
  }
  progress.Done();
  // The machine's limits, once per workload shape, on the same filesystem.
  if (options.measure_limits && !out.interrupted) {
    for (const ScenarioResult& sr : out.scenarios) {
      const std::string key = WorkloadKey(sr.scenario.workload);
      if (sr.scenario.fault.kind != "none" || out.limits.count(key)) continue;
      if (out.shard_count > 1 && sr.trials.empty()) continue;  // another shard measures it
      Result<MachineLimits> lim = MeasureLimits(root, sr.scenario.workload, 3);
      if (lim.ok())
        out.limits[key] = *lim;
      else
        out.limits_error = lim.status().message();
    }
  }
  if (!options.keep) (void)RemoveTree(root);
  for (ScenarioResult& sr : out.scenarios) {
    std::sort(sr.trials.begin(), sr.trials.end(),
              [](const TrialResult& a, const TrialResult& b) { return a.index < b.index; });
    if (options.shard_count == 1) CheckFaultFired(&sr, out.interrupted);
  }
  return out;
}

}  // namespace crashbench
