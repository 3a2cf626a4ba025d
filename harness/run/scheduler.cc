#include "harness/run/scheduler.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "harness/run/interrupt.h"
#include "harness/run/run_plan.h"

namespace crashbench {
namespace {

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

void RemoveScratch(const std::string& dir) {
  (void)RemoveTree(dir);
  (void)RemoveTree(dir + ".side");  // a command subject's ack file and standard output
  ::unlink((dir + ".stderr").c_str());
}

bool Measures(const QueuedTrial& t) { return t.into->scenario.fault.kind == "none"; }

// --explore: the trial fires at exactly its visit, whatever the seed chose.
void ArmTrial(QueuedTrial& t) {
  const ScenarioResult& sr = *t.into;
  t.plan.calibration = sr.calibration ? &*sr.calibration : nullptr;
  t.plan.armed = ArmFault(sr.scenario, t.plan.seed, t.plan.calibration);
  if (t.plan.explore) {
    t.plan.armed.point = t.plan.explore->site.point;
    t.plan.armed.occurrence = t.plan.explore->occurrence;
  }
  AddressSyscallPoint(sr.scenario, t.plan.calibration, &t.plan.armed);
}

}  // namespace

Result<std::string> TrialScheduler::OpenSpill(const std::vector<ScenarioResult>& scenarios) {
  if (options_.spill_path.empty()) return std::string();
  spill_.Reset(::open(options_.spill_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!spill_.valid()) return ErrnoStatus("cannot create " + options_.spill_path, errno);
  nlohmann::json header = {{"crashbench_spill", 1},
                           {"pid", ::getpid()},
                           {"shard", {options_.shard_index, options_.shard_count}},
                           {"scenarios", nlohmann::json::array()}};
  for (const ScenarioResult& sr : scenarios)
    header["scenarios"].push_back(ScenarioToJson(sr.scenario));
  const std::string line = header.dump() + "\n";
  if (Status st = WriteFull(spill_.get(), line.data(), line.size()); !st.ok()) {
    spill_.Reset();
    ::unlink(options_.spill_path.c_str());
    return st.Annotate("cannot write " + options_.spill_path);
  }
  spill_size_ = static_cast<long long>(line.size());
  return options_.spill_path;
}

void TrialScheduler::Enqueue(QueuedTrial trial) { queue_.push_back(std::move(trial)); }

bool TrialScheduler::RunAll() {
  bool interrupted = false;
  while (!queue_.empty() || !running_.empty()) {
    if (Interrupted() || !spill_error_.empty()) {
      interrupted = true;
      break;
    }
    StartQueued();
    if (running_.empty()) continue;
    Collect();
  }
  KillRunning();
  if (options_.progress && done_ > 0) std::fprintf(stderr, "\r\033[K");
  return !interrupted;
}

void TrialScheduler::StartQueued() {
  while (!queue_.empty()) {
    const bool a_running_trial_measures = std::any_of(
        running_.begin(), running_.end(), [](const Running& r) { return Measures(r.trial); });
    const bool alone = Measures(queue_.front());
    if (!MayStartNext(static_cast<int>(running_.size()), a_running_trial_measures, alone,
                      options_.jobs))
      break;
    QueuedTrial t = std::move(queue_.front());
    queue_.pop_front();
    if (!Start(std::move(t)) && Interrupted()) break;
    if (alone) break;
  }
}

bool TrialScheduler::Start(QueuedTrial t) {
  ScenarioResult& sr = *t.into;
  if (!sr.error.empty()) return false;
  ArmTrial(t);
  Running r;
  r.began_ns = StageNowNanos();
  if (Status s = MakeDirs(t.plan.dir); !s.ok()) {
    sr.error = s.message();
    return false;
  }
  r.clock.Add(TrialStage::kScratchSetUp, StageNowNanos() - r.began_ns);
  Result<TrialJob> job = TrialJob::Start(t.plan);
  if (!job.ok()) {
    sr.error = job.status().message();
    return false;
  }
  r.job = std::make_unique<TrialJob>(std::move(*job));
  // The trial enforces the scenario's deadline itself; this backstop only
  // catches a harness that is itself stuck (verification included).
  r.backstop_us = NowMicros() + (sr.scenario.deadline_ms + 30000) * 1000;
  r.trial = std::move(t);
  running_.push_back(std::move(r));
  return true;
}

// One wait on every running trial (and on Ctrl-C); collects those that ended.
void TrialScheduler::Collect() {
  std::vector<pollfd> fds;
  for (Running& r : running_) fds.push_back({r.job->result_fd(), POLLIN, 0});
  if (InterruptFd() >= 0) fds.push_back({InterruptFd(), POLLIN, 0});
  ::poll(fds.data(), fds.size(), 200);
  for (Running& r : running_) {
    if (r.job->ReadSome()) {
      r.received_ns = StageNowNanos();
      Finish(r);
    } else if (NowMicros() > r.backstop_us) {
      KillTrialGroup(r.job->child());
      Finish(r);
    }
  }
  std::erase_if(running_, [](const Running& r) { return r.done; });
}

void TrialScheduler::Finish(Running& r) {
  const TrialPlan& plan = r.trial.plan;
  ScenarioResult& sr = *r.trial.into;
  const long long collect_at = StageNowNanos();
  TrialResult t = r.job->Finish(plan);
  r.clock.Add(TrialStage::kCollect, StageNowNanos() - collect_at);
  t.trial_pgid = r.job->child().pid();
  if (options_.keep) {
    t.kept_dir = plan.dir;
  } else {
    TrialStageTimer timer(r.clock, TrialStage::kScratchRemoval);
    RemoveScratch(plan.dir);
  }
  if (spill_.valid()) {
    TrialStageTimer timer(r.clock, TrialStage::kSpill);
    Spill(t, sr.scenario, r.trial.scenario_index);
  }
  KeepProfile(r, t);
  if (t.violations() > 0) ++violating_trials_;
  Tick(sr.scenario.name + " trial " + std::to_string(plan.index), violating_trials_);
  sr.trials.push_back(std::move(t));
  r.done = true;
}

// --profile: the trial's stages, the runner's added to its own, then its
// whole life; without it nothing of the profile stays in memory.
void TrialScheduler::KeepProfile(Running& r, TrialResult& t) const {
  if (!options_.profile) {
    std::vector<long long>().swap(t.profile_ns);
    return;
  }
  if (r.received_ns > 0 && t.result_ready_ns > 0)
    r.clock.Add(TrialStage::kReport, r.received_ns - t.result_ready_ns);
  t.profile_ns.resize(kNumTrialStages);
  for (size_t i = 0; i < kNumTrialStages; ++i) t.profile_ns[i] += r.clock.all()[i];
  t.profile_ns.push_back(StageNowNanos() - r.began_ns);
}

void TrialScheduler::Spill(TrialResult& t, const Scenario& scenario, size_t scenario_index) {
  nlohmann::json j = TrialResultToJson(t, false);
  j["scenario_index"] = scenario_index;
  const std::string line = j.dump() + "\n";
  if (Status st = WriteFull(spill_.get(), line.data(), line.size()); !st.ok()) {
    // A partial line must not shift later offsets: cut it off. The results
    // can no longer be kept (a full disk, most often): the run stops now,
    // with this trial and later ones whole in memory.
    (void)!::ftruncate(spill_.get(), spill_size_);
    spill_.Reset();
    spill_error_ = st.Annotate("writing " + options_.spill_path).message();
    return;
  }
  t.spill_offset = spill_size_;
  spill_size_ += static_cast<long long>(line.size());
  // Keep what summaries, tables and costs need; the rest is on disk. Of the
  // firing they need only whether it happened; trigger-site counts only a
  // calibration reads (not a scheduled trial).
  std::vector<Anomaly>().swap(t.anomalies);
  t.processes = nlohmann::json::array();
  if (!t.fired.is_null()) t.fired = true;
  t.observed = Calibration{};
  std::string().swap(t.stderr_head);
  if (scenario.fault.kind != "none") std::vector<long long>().swap(t.task_latency_us);
}

// Interrupted: kill every running trial by its process group (the group id
// is the trial process's pid, which cannot be recycled before we reap it).
void TrialScheduler::KillRunning() {
  for (Running& r : running_) {
    KillTrialGroup(r.job->child());
    RemoveScratch(r.trial.plan.dir);
  }
}

void TrialScheduler::Tick(const std::string& label, long long violations) {
  ++done_;
  const long long now = NowMicros();
  if (!options_.progress || (now - last_tick_us_ < 100000 && done_ < total_)) return;
  last_tick_us_ = now;
  std::fprintf(stderr, "\r\033[K[%lld/%lld] %s  trials with violations so far: %lld", done_, total_,
               label.c_str(), violations);
  std::fflush(stderr);
}

}  // namespace crashbench
