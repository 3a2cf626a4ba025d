#include "scenarios/default_matrix.h"

#include "strategies/strategy.h"

namespace crashbench {
namespace {

const std::set<AnomalyKind> kAllViolations = {AnomalyKind::kTorn,      AnomalyKind::kInterleaved,
                                              AnomalyKind::kCorrupt,   AnomalyKind::kDuplicate,
                                              AnomalyKind::kLostAcked, AnomalyKind::kPartialVisible,
                                              AnomalyKind::kHang,      AnomalyKind::kSilentFailure};

// What each strategy promises, by fault: the kinds that must never appear.
std::set<AnomalyKind> Forbidden(const std::string& strategy, bool faulty) {
  using K = AnomalyKind;
  std::set<AnomalyKind> never = {K::kDuplicate, K::kHang, K::kSilentFailure, K::kCorrupt};
  if (strategy == "atomic-rename") return kAllViolations;
  if (strategy == "per-task-file" || strategy == "locked-append") {
    if (!faulty) return kAllViolations;
    never.insert({K::kInterleaved, K::kLostAcked});
    return never;
  }
  if (strategy == "queue-writer") {
    if (!faulty) return kAllViolations;
    never.insert(K::kInterleaved);  // one writer: records never mix
    // A writer that exits cleanly after its last record loses its buffer while
    // every status says success: a silent failure is possible, so not promised.
    never.erase(K::kSilentFailure);
    return never;
  }
  if (strategy == "naive") never.insert(K::kLostAcked);  // fclose before the ack
  return never;  // naive and shared-handle interleave even without a fault
}

// What a fault-free scenario is there to demonstrate: races, which a busy (or
// an idle) machine may not produce in every run, so a demonstration that did
// not show is reported and not a failure. Guarantees stay in Forbidden().
std::set<AnomalyKind> Demonstrated(const std::string& row, const std::string& fault) {
  using K = AnomalyKind;
  if (fault != "none") return {};
  // Unsynchronised appends from several processes: records mix.
  if (row == "naive" || row == "shared-handle" || row == "locked-append open=inherited")
    return {K::kInterleaved};
  if (row == "naive open=truncate") return {K::kLostAcked};  // each open erases the others' work
  if (row == "queue-writer drain=after-join") return {K::kHang};
  // fork() copies the parent's unflushed stdio buffer into every worker.
  if (row == "shared-handle header=stdio") return {K::kDuplicate};
  return {};
}

// A known pitfall or its fix: a strategy option, a pool policy or a restart,
// with the fault that shows it. The row is named after what differs.
struct Pitfall {
  std::string row;  // "locked-append lock=process-mutex"
  std::string strategy;
  std::map<std::string, std::string> options;
  std::string fault = "sigkill";  // at the first mid-record point reached, or "none"
  FaultPoint point = FaultPoint::kMidRecord;
  WorkerDeathPolicy policy = WorkerDeathPolicy::kFailPool;
  Resume resume = Resume::kNone;
  Workload workload{64, 16, 256};
  int workers = 4;
  std::set<AnomalyKind> forbid;   // what the variant still promises
  long long deadline_ms = 10000;  // short where a hang is the finding: it costs the deadline
  FaultTarget target = FaultTarget::kWorker;
};

using K = AnomalyKind;

// The pitfalls and fixes the matrix shows, in the order it lists them.
const std::vector<Pitfall> kPitfalls = {
    // multiprocessing.Lock: its killed holder never releases it.
    {"locked-append lock=process-mutex",
     "locked-append",
     {{"lock", "process-mutex"}},
     "sigkill",
     FaultPoint::kMidRecord,
     WorkerDeathPolicy::kFailPool,
     Resume::kNone,
     {64, 16, 256},
     4,
     {K::kInterleaved, K::kDuplicate, K::kCorrupt, K::kLostAcked},
     1000},
    {"locked-append lock=robust-mutex",
     "locked-append",
     {{"lock", "robust-mutex"}},
     "sigkill",
     FaultPoint::kMidRecord,
     WorkerDeathPolicy::kFailPool,
     Resume::kNone,
     {64, 16, 256},
     4,
     {K::kHang, K::kInterleaved, K::kDuplicate, K::kCorrupt, K::kLostAcked}},
    // flock on an inherited descriptor: one open file, one lock, no exclusion.
    {"locked-append open=inherited",
     "locked-append",
     {{"open", "inherited"}},
     "none",
     FaultPoint::kMidRecord,
     WorkerDeathPolicy::kFailPool,
     Resume::kNone,
     {16, 256, 1024},
     4,
     {K::kHang, K::kDuplicate, K::kLostAcked}},
    {"naive open=truncate",
     "naive",
     {{"open", "truncate"}},
     "none",
     FaultPoint::kMidRecord,
     WorkerDeathPolicy::kFailPool,
     Resume::kNone,
     {64, 16, 256},
     4,
     {K::kHang, K::kDuplicate}},
    // The raw descriptor: one O_APPEND write(2) per record, nothing buffered.
    {"shared-handle handle=fd",
     "shared-handle",
     {{"handle", "fd"}},
     "none",
     FaultPoint::kMidRecord,
     WorkerDeathPolicy::kFailPool,
     Resume::kNone,
     {16, 256, 1024},
     4,
     std::set<AnomalyKind>(kAllViolations)},
    // A parent that writes through its stdio stream before it forks: every
    // child flushes its copy of the unflushed buffer, and task 0 (1 KiB, well
    // within the 4 KiB buffer) appears once per process. A demonstration.
    {"shared-handle header=stdio",
     "shared-handle",
     {{"header", "stdio"}},
     "none",
     FaultPoint::kMidRecord,
     WorkerDeathPolicy::kFailPool,
     Resume::kNone,
     {24, 16, 64},
     3,
     {K::kHang, K::kCorrupt, K::kSilentFailure}},
    // The join deadlock: the collector joins its producers before reading
    // their pipe, and 128 KiB of records do not fit in it.
    {"queue-writer drain=after-join",
     "queue-writer",
     {{"drain", "after-join"}},
     "none",
     FaultPoint::kMidRecord,
     WorkerDeathPolicy::kFailPool,
     Resume::kNone,
     {16, 16, 512},
     4,
     {K::kDuplicate, K::kCorrupt, K::kInterleaved},
     1000},
    // The fix for queue-writer's lost acknowledgements: confirm after writing.
    {"queue-writer ack=on-write",
     "queue-writer",
     {{"ack", "on-write"}},
     "sigkill",
     FaultPoint::kMidRecord,
     WorkerDeathPolicy::kFailPool,
     Resume::kNone,
     {64, 16, 256},
     4,
     {K::kHang, K::kDuplicate, K::kInterleaved, K::kCorrupt, K::kLostAcked},
     10000,
     FaultTarget::kWriter},
    {"queue-writer ack=on-write",
     "queue-writer",
     {{"ack", "on-write"}},
     "pipe-broken",
     FaultPoint::kMidRecord,
     WorkerDeathPolicy::kFailPool,
     Resume::kNone,
     {64, 16, 256},
     4,
     {K::kHang, K::kDuplicate, K::kInterleaved, K::kCorrupt, K::kLostAcked},
     10000,
     FaultTarget::kWriter},
    // Frames over PIPE_BUF: a producer killed mid-message leaves half a frame.
    {"queue-writer 10KB records",
     "queue-writer",
     {},
     "sigkill",
     FaultPoint::kMidRecord,
     WorkerDeathPolicy::kFailPool,
     Resume::kNone,
     {16, 8, 10000},
     1,
     {K::kHang, K::kDuplicate}},
    // A retry appends again what the dead worker had already appended.
    {"locked-append retry-task",
     "locked-append",
     {},
     "sigkill",
     FaultPoint::kMidRecord,
     WorkerDeathPolicy::kRetryTask,
     Resume::kNone,
     {64, 16, 256},
     4,
     {K::kHang, K::kInterleaved, K::kCorrupt, K::kLostAcked}},
    {"atomic-rename retry-task",
     "atomic-rename",
     {},
     "sigkill",
     FaultPoint::kMidRecord,
     WorkerDeathPolicy::kRetryTask,
     Resume::kNone,
     {64, 16, 256},
     4,
     std::set<AnomalyKind>(kAllViolations)},
    // The report of a finished task is lost; the retry redoes the task.
    {"locked-append retry-task",
     "locked-append",
     {},
     "pipe-broken",
     FaultPoint::kMidRecord,
     WorkerDeathPolicy::kRetryTask,
     Resume::kNone,
     {64, 16, 256},
     4,
     {K::kHang, K::kInterleaved, K::kCorrupt, K::kLostAcked}},
    // "Skip if already there" after a crash.
    {"per-task-file resume=skip-existing",
     "per-task-file",
     {},
     "sigkill",
     FaultPoint::kMidRecord,
     WorkerDeathPolicy::kFailPool,
     Resume::kSkipExisting,
     {64, 16, 256},
     4,
     {K::kHang, K::kDuplicate, K::kInterleaved, K::kLostAcked}},
    {"atomic-rename resume=skip-existing",
     "atomic-rename",
     {},
     "sigkill",
     FaultPoint::kMidRecord,
     WorkerDeathPolicy::kFailPool,
     Resume::kSkipExisting,
     {64, 16, 256},
     4,
     std::set<AnomalyKind>(kAllViolations)},
};

// The scenario of one pitfall, sized for --quick or the full matrix.
Scenario PitfallScenario(const Pitfall& p, bool quick) {
  Scenario s;
  s.strategy = p.strategy;
  s.options = p.options;
  s.workers = p.workers;
  s.workload = quick ? Workload{std::min(16LL, p.workload.tasks),
                                std::min(8LL, p.workload.records_per_task), p.workload.record_bytes}
                     : p.workload;
  // Interleaving (or its absence) is a race: it needs long tasks even in --quick.
  if (quick && p.workload.records_per_task > 16) s.workload = p.workload;
  s.seed = 42;
  s.on_worker_death = p.policy;
  s.resume = p.resume;
  s.fault.kind = p.fault;
  s.trials = quick ? 2 : 5;
  if (p.deadline_ms < 10000) s.trials = quick ? 1 : 2;  // each trial costs the whole deadline
  if (p.fault != "none") {
    s.fault.trigger.type = TriggerType::kPoint;
    s.fault.trigger.point = p.point;
    s.fault.target = p.target;
  }
  s.deadline_ms = p.deadline_ms;
  s.name = p.row + "/" + FaultLabel(s.fault);
  s.forbid = p.forbid;
  s.show = Demonstrated(p.row, p.fault);
  (void)ValidateScenario(&s);
  return s;
}

void AddPitfalls(bool quick, std::vector<Scenario>* out) {
  for (const Pitfall& p : kPitfalls) out->push_back(PitfallScenario(p, quick));
}

}  // namespace

std::vector<Scenario> DefaultMatrix(bool quick) {
  std::vector<Scenario> out;
  for (const StrategyInfo& info : AllStrategies()) {
    // none, sigkill at mid-record, sigkill at random, then every other fault
    // kind at mid-record.
    const std::vector<std::string> other_kinds = {"abort",     "exit-no-flush", "oom",
                                                  "disk-full", "eio",           "pipe-broken"};
    for (int f = 0; f < 3 + static_cast<int>(other_kinds.size()); ++f) {
      Scenario s;
      s.strategy = std::string(info.name);
      s.workers = 4;
      s.workload = quick ? Workload{16, 8, 256} : Workload{64, 16, 256};
      s.seed = 42;
      s.deadline_ms = 10000;
      if (f == 0) {
        s.trials = quick ? 1 : 5;
      } else {
        s.fault.kind = f < 3 ? "sigkill" : other_kinds[static_cast<size_t>(f - 3)];
        s.trials = quick ? (f < 3 ? 5 : 2) : (f < 3 ? 40 : 10);
        if (f == 1 || f >= 3) {
          s.fault.trigger.type = TriggerType::kPoint;
          s.fault.trigger.point = FaultPoint::kMidRecord;
          // queue-writer's workers send whole frames: only its writer writes records in halves.
          if (info.name == "queue-writer") s.fault.target = FaultTarget::kWriter;
        } else {
          s.fault.trigger.type = TriggerType::kRandom;
        }
      }
      s.name = s.strategy + "/" + FaultLabel(s.fault);
      s.forbid = Forbidden(s.strategy, f != 0);
      s.show = Demonstrated(s.strategy, s.fault.kind);
      (void)ValidateScenario(&s);  // fills option defaults; the matrix is valid by construction
      out.push_back(std::move(s));
    }
    {
      // pipe-full: a reader stops reading. queue-writer's writer stalls and the
      // workers block in write(2) on the full pipe; elsewhere the supervisor
      // stops reading a worker's reports, and the pool, which dispatches only
      // against reports, leaves it waiting for work forever. The hang is the
      // finding; the deadline is short so it costs a second.
      const bool writer = info.name == "queue-writer";
      Scenario s;
      s.strategy = std::string(info.name);
      s.workload = quick ? Workload{16, 8, 256} : Workload{64, 16, 256};
      s.seed = 42;
      s.trials = quick ? 1 : (writer ? 3 : 2);
      s.deadline_ms = 1000;
      s.fault.kind = "pipe-full";
      s.fault.trigger.type = TriggerType::kPoint;
      s.fault.trigger.point = FaultPoint::kMidRecord;
      if (writer) {
        s.fault.target = FaultTarget::kWriter;
        s.fault.trigger.occurrence = 5;
      }
      s.name = s.strategy + "/" + FaultLabel(s.fault);
      s.forbid = writer ? std::set<AnomalyKind>{AnomalyKind::kInterleaved, AnomalyKind::kDuplicate,
                                                AnomalyKind::kSilentFailure}
                        : Forbidden(s.strategy, true);
      s.forbid.erase(AnomalyKind::kHang);
      (void)ValidateScenario(&s);
      out.push_back(std::move(s));
    }
  }
  AddPitfalls(quick, &out);
  return out;
}

}  // namespace crashbench
