#include "harness/run/trial.h"

#include <fcntl.h>
#include <unistd.h>

#include <set>

#include "faults/registry.h"
#include "harness/contract/layout.h"
#include "harness/subject/pool.h"
#include "harness/verify/verifier.h"

namespace crashbench {
namespace {

uint64_t Mix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

nlohmann::json AnomalyToJson(const Anomaly& a) {
  nlohmann::json j = {{"kind", std::string(AnomalyName(a.kind))}};
  if (!a.file.empty()) j["file"] = a.file;
  if (a.offset >= 0) j["offset"] = a.offset;
  if (a.line >= 0) j["line"] = a.line;
  if (a.task >= 0) j["task"] = a.task;
  if (a.seq >= 0) j["seq"] = a.seq;
  if (!a.excerpt.empty()) j["excerpt"] = a.excerpt;
  if (!a.detail.empty()) j["detail"] = a.detail;
  return j;
}

Anomaly AnomalyFromJson(const nlohmann::json& j) {
  Anomaly a{AnomalyFromName(j.value("kind", "corrupt")).value_or(AnomalyKind::kCorrupt)};
  a.file = j.value("file", "");
  a.offset = j.value("offset", -1LL);
  a.line = j.value("line", -1LL);
  a.task = j.value("task", -1LL);
  a.seq = j.value("seq", -1LL);
  a.excerpt = j.value("excerpt", "");
  a.detail = j.value("detail", "");
  return a;
}

}  // namespace

long long TrialResult::violations() const {
  long long n = 0;
  for (const auto& [kind, c] : counts) {
    auto k = AnomalyFromName(kind);
    if (k && IsViolation(*k)) n += c;
  }
  return n;
}

long long TrialResult::count(AnomalyKind kind) const {
  auto it = counts.find(std::string(AnomalyName(kind)));
  return it == counts.end() ? 0 : it->second;
}

uint64_t TrialSeed(uint64_t scenario_seed, int index) {
  return Mix(scenario_seed * 0x100000001B3ull + static_cast<uint64_t>(index)) >> 11;  // < 2^53
}

bool NeedsCalibration(const Scenario& s) {
  if (s.fault.kind == "none") return false;
  return s.fault.trigger.type == TriggerType::kRandom ||
         (s.fault.trigger.type == TriggerType::kPoint && !s.fault.trigger.occurrence);
}

ArmedFault ArmFault(const Scenario& s, uint64_t trial_seed, const Calibration* cal) {
  ArmedFault a;
  const TriggerSpec& t = s.fault.trigger;
  a.target = s.fault.target;
  a.trigger = s.fault.kind == "none" ? TriggerType::kNone : t.type;
  uint64_t r1 = Mix(trial_seed ^ 0xA5A5), r2 = Mix(trial_seed ^ 0x5A5A);
  a.target_worker = static_cast<int>(r1 % static_cast<uint64_t>(s.workers));
  a.point = t.point;
  a.after_records = t.after_records;
  if (t.type == TriggerType::kPoint) {
    if (t.occurrence) {
      a.occurrence = *t.occurrence;
    } else {
      const int role = s.fault.target == FaultTarget::kWriter ? 1 : 0;
      long long reach =
          cal ? cal->point_counts[static_cast<size_t>(role)][static_cast<size_t>(t.point)] : 1;
      a.occurrence = 1 + static_cast<long long>(r2 % static_cast<uint64_t>(std::max(1LL, reach)));
    }
  } else if (t.type == TriggerType::kRandom) {
    long long window = cal ? std::max(1LL, cal->duration_us) : 1;
    a.at_us = static_cast<long long>(r2 % static_cast<uint64_t>(window));
  } else if (t.type == TriggerType::kAfterMs) {
    a.at_us = t.after_ms * 1000;
  }
  return a;
}

nlohmann::json TrialResultToJson(const TrialResult& r, bool with_internals) {
  // Counts are always complete; details stop at kMaxDetails per kind, so a
  // run of ten thousand trials does not carry ten thousand long lists.
  nlohmann::json details = nlohmann::json::array();
  std::map<AnomalyKind, int> shown;
  long long omitted = 0;
  for (const Anomaly& a : r.anomalies) {
    if (shown[a.kind]++ < kMaxDetailsPerKind)
      details.push_back(AnomalyToJson(a));
    else
      ++omitted;
  }
  nlohmann::json j = {{"index", r.index},
                      {"seed", r.seed},
                      {"fired", r.fired},
                      {"acked_tasks", r.acked_tasks},
                      {"failed_tasks", r.failed_tasks},
                      {"lost_in_flight", r.lost_in_flight},
                      {"retried_tasks", r.retried_tasks},
                      {"lost_tasks", r.lost_tasks},
                      {"pipeline_ok", r.pipeline_ok},
                      {"anomalies", r.counts},
                      {"violations", r.violations()},
                      {"duration_ms", r.duration_ms},
                      {"records_visible", r.records_visible},
                      {"processes", r.processes},
                      {"details", details}};
  if (omitted) j["details_omitted"] = omitted;
  if (!r.kept_dir.empty()) j["kept_dir"] = r.kept_dir;
  if (!r.error.empty()) j["error"] = r.error;
  if (!r.stderr_head.empty()) j["stderr"] = r.stderr_head;
  if (r.resumed_tasks >= 0) j["resumed_tasks"] = r.resumed_tasks;
  if (with_internals) {
    j["point_counts"] = r.observed.point_counts;
    j["duration_us"] = r.observed.duration_us;
    j["task_latency_us"] = r.task_latency_us;
    j["stage_ns"] = r.stage_ns;
  }
  return j;
}

TrialResult TrialResultFromJson(const nlohmann::json& j) {
  TrialResult r;
  r.index = j.value("index", 0);
  r.seed = j.value("seed", 0ULL);
  r.fired = j.value("fired", nlohmann::json());
  r.acked_tasks = j.value("acked_tasks", 0LL);
  r.failed_tasks = j.value("failed_tasks", 0LL);
  r.lost_in_flight = j.value("lost_in_flight", 0LL);
  r.retried_tasks = j.value("retried_tasks", 0LL);
  r.lost_tasks = j.value("lost_tasks", 0LL);
  r.resumed_tasks = j.value("resumed_tasks", -1LL);
  r.pipeline_ok = j.value("pipeline_ok", false);
  r.duration_ms = j.value("duration_ms", 0.0);
  r.records_visible = j.value("records_visible", 0LL);
  r.processes = j.value("processes", nlohmann::json::array());
  r.kept_dir = j.value("kept_dir", "");
  r.error = j.value("error", "");
  r.stderr_head = j.value("stderr", "");
  if (j.contains("details"))
    for (const auto& d : j["details"]) r.anomalies.push_back(AnomalyFromJson(d));
  if (j.contains("anomalies")) r.counts = j["anomalies"].get<AnomalyCounts>();
  if (j.contains("point_counts")) r.observed.point_counts = j["point_counts"];
  r.observed.duration_us = j.value("duration_us", 0LL);
  if (j.contains("task_latency_us"))
    r.task_latency_us = j["task_latency_us"].get<std::vector<long long>>();
  if (j.contains("stage_ns")) r.stage_ns = j["stage_ns"];
  return r;
}

TrialResult RunTrialHere(const TrialPlan& plan) {
  const Scenario& s = *plan.scenario;
  TrialResult result;
  result.index = plan.index;
  result.seed = plan.seed;
  const StrategyInfo* info = FindStrategy(s.strategy);
  const FaultInfo* fault_info = FindFault(plan.fault_free ? "none" : s.fault.kind);
  std::unique_ptr<Fault> impl = fault_info->make();
  PoolConfig pc;
  pc.strategy = info;
  pc.strategy_config.dir = plan.dir;
  pc.strategy_config.options = s.options;
  pc.strategy_config.payload_seed = s.seed;
  pc.strategy_config.records_per_task = s.workload.records_per_task;
  pc.strategy_config.record_bytes = s.workload.record_bytes;
  pc.strategy_config.tasks = s.workload.tasks;
  pc.workers = s.workers;
  pc.tasks = s.workload.tasks;
  pc.deadline_ms = s.deadline_ms;
  pc.start_method = s.start_method;
  pc.fault = plan.armed;
  pc.fault.impl = fault_info->name == "none" ? nullptr : impl.get();
  pc.strategy_config.pipe_bytes = impl->pipe_bytes();
  pc.fault_kind = std::string(fault_info->name);
  pc.self_exe = plan.self_exe;
  pc.on_worker_death = s.on_worker_death;
  // The fault's own set-up (a real full disk or OOM killer, where allowed).
  std::unique_ptr<FaultScene> scene;
  if (pc.fault.impl) {
    const Workload& w = s.workload;
    const long long bytes = w.tasks * w.records_per_task * (w.record_bytes + 128) + w.tasks * 8192;
    auto prepared = pc.fault.impl->PrepareScene({s.fault.method, plan.dir, bytes});
    if (!prepared.ok()) {
      result.error = prepared.status().message();
      return result;
    }
    scene = std::move(*prepared);
    if (scene) pc.fault_method = scene->method();
  }
  struct SceneGuard {
    FaultScene* scene;
    TrialResult& result;
    ~SceneGuard() {
      Status s = scene ? scene->TearDown() : Status::Ok();
      if (!s.ok() && result.error.empty()) result.error = "fault tear-down: " + s.message();
    }
  } guard{scene.get(), result};
  Result<PoolOutcome> pool = RunPool(pc);
  if (!pool.ok()) {
    result.error = pool.status().message();
    return result;
  }
  if (scene) scene->BeforeReading();  // space is freed before anyone reads or restarts
  const PoolOutcome& o = *pool;
  VerifyOptions vo;
  vo.layout = info->layout;
  vo.tasks = s.workload.tasks;
  vo.records_per_task = s.workload.records_per_task;
  for (const auto& [task, at] : o.acks) vo.acked.insert(task);
  // The process statuses and task outcomes the pipeline finally reports:
  // the first run's, or the restart's when there is one.
  const PoolOutcome* final_run = &o;
  Result<PoolOutcome> restart = PoolOutcome{};
  if (s.resume == Resume::kSkipExisting && !plan.fault_free) {
    // The operator's restart: run the pipeline again with no fault, skipping
    // every task whose output file is there. It takes those tasks for done.
    PoolConfig rc = pc;
    rc.fault = ArmedFault{};
    rc.fault_kind = "none";
    rc.fault_method.clear();
    rc.strategy_config.pipe_bytes = 0;
    for (long long t = 0; t < s.workload.tasks; ++t)
      if (::access((plan.dir + "/" + PerTaskFileName(t)).c_str(), F_OK) == 0)
        rc.skip_tasks.insert(t);
    rc.strategy_config.tasks = s.workload.tasks - static_cast<long long>(rc.skip_tasks.size());
    restart = RunPool(rc);
    if (!restart.ok()) {
      result.error = "restart: " + restart.status().message();
      return result;
    }
    result.resumed_tasks = s.workload.tasks - static_cast<long long>(rc.skip_tasks.size());
    vo.acked.insert(rc.skip_tasks.begin(), rc.skip_tasks.end());
    for (const auto& [task, at] : restart->acks) vo.acked.insert(task);
    final_run = &*restart;
  }
  Result<VerifyReport> report = VerifyDirectory(plan.dir, vo);
  if (!report.ok()) {
    result.error = report.status().message();
    return result;
  }
  result.anomalies = std::move(report->anomalies);
  result.records_visible = report->records_visible;
  std::vector<const PoolOutcome*> runs = {&o};
  if (final_run != &o) runs.push_back(final_run);
  for (const PoolOutcome* run : runs) {
    if (!run->hang) continue;
    Anomaly a{AnomalyKind::kHang};
    a.detail = std::string(run == &o ? "" : "the restart ") + "did not finish within " +
               std::to_string(s.deadline_ms) + " ms: " + run->hang_diagnosis;
    result.anomalies.push_back(a);
  }
  // A process died when it failed, or when the fault acted in it (an
  // exit-no-flush writer exits 0, and a pool that reads exit statuses only
  // takes that for success). A signal that reached an exited process acted nowhere.
  // A death the pool's policy handled (a replaced worker) or that a restart
  // followed was not hidden.
  const int acted_pid =
      o.fired.is_object() && impl->ends_process() ? o.fired.value("acted_pid", 0) : 0;
  bool any_died = false;
  for (const PoolOutcome* run : runs) {
    for (const ProcessEnd& p : run->processes) {
      if (run == final_run)
        any_died |= !p.handled && (p.failed || (acted_pid != 0 && p.pid == acted_pid));
      nlohmann::json pj = {{"role", (run == &o ? "" : "restart-") + p.role},
                           {"index", p.index},
                           {"pid", p.pid},
                           {"end", p.end}};
      if (p.handled) pj["handled"] = std::string(WorkerDeathPolicyName(s.on_worker_death));
      result.processes.push_back(pj);
    }
  }
  if (final_run->pipeline_ok && any_died) {
    Anomaly a{AnomalyKind::kSilentFailure};
    a.detail = "a process died but the pipeline reported success";
    result.anomalies.push_back(a);
  }
  result.counts = CountAnomalies(result.anomalies);
  result.fired = o.fired;
  result.acked_tasks = static_cast<long long>(vo.acked.size());
  std::set<long long> resolved = vo.acked;
  result.failed_tasks = 0;
  for (const auto& [task, why] : final_run->failed_tasks) {
    ++result.failed_tasks;
    resolved.insert(task);
  }
  long long lost = 0;
  for (long long t = 0; t < s.workload.tasks; ++t) lost += !resolved.count(t);
  result.lost_tasks = lost;
  result.lost_in_flight = static_cast<long long>(o.lost_in_flight.size());
  result.retried_tasks = o.retried + (final_run == &o ? 0 : final_run->retried);
  result.pipeline_ok = final_run->pipeline_ok;
  result.duration_ms = static_cast<double>(o.duration_us) / 1000.0;
  result.observed.duration_us = o.duration_us;
  result.observed.point_counts = o.point_counts;
  result.task_latency_us = o.task_latency_us;
  result.stage_ns = o.stage_ns;
  return result;
}

Result<TrialJob> TrialJob::Start(const TrialPlan& plan) {
  TrialJob job;
  UniqueFd w;
  RETURN_IF_ERROR(MakePipe(&job.result_r_, &w));
  int flags = ::fcntl(job.result_r_.get(), F_GETFL);
  ::fcntl(job.result_r_.get(), F_SETFL, flags | O_NONBLOCK);
  const int wfd = w.get();
  const std::string log = plan.dir + ".stderr";
  std::fflush(nullptr);
  Result<Child> child = ForkChild({wfd}, /*new_group=*/true, [&] {
    // What the trial's processes print (a failed assertion, std::bad_alloc)
    // goes to a log beside the output directory, not onto crashbench's own
    // output; its first lines travel with the result.
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDERR_FILENO);
      ::close(fd);
    }
    TrialResult r = RunTrialHere(plan);
    if (Result<std::string> text = ReadFileToString(log); text.ok() && !text->empty())
      r.stderr_head = text->substr(0, 400);
    std::string text = TrialResultToJson(r, true).dump();
    ::_exit(WriteFull(wfd, text.data(), text.size()).ok() ? 0 : 1);
  });
  if (!child.ok()) return child.status();
  job.child_ = std::move(*child);
  return job;
}

bool TrialJob::ReadSome() {
  char buf[65536];
  for (;;) {
    ssize_t n = RetryOnEintr([&] { return ::read(result_r_.get(), buf, sizeof buf); });
    if (n > 0) {
      received_.append(buf, static_cast<size_t>(n));
      continue;
    }
    return n == 0 || errno != EAGAIN;
  }
}

TrialResult TrialJob::Finish(const TrialPlan& plan) {
  child_.Reap();
  nlohmann::json j = nlohmann::json::parse(received_, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    TrialResult r;
    r.index = plan.index;
    r.seed = plan.seed;
    r.error = "trial process " + child_.Describe() + " without a result";
    return r;
  }
  return TrialResultFromJson(j);
}

}  // namespace crashbench
