#include "scenarios/default_matrix.h"

#include "strategies/strategy.h"

namespace crashbench {
namespace {

const std::set<AnomalyKind> kAllViolations = {
    AnomalyKind::kTorn,      AnomalyKind::kInterleaved,    AnomalyKind::kCorrupt,
    AnomalyKind::kDuplicate, AnomalyKind::kLostAcked,      AnomalyKind::kPartialVisible,
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

}  // namespace

std::vector<Scenario> DefaultMatrix(bool quick) {
  std::vector<Scenario> out;
  for (const StrategyInfo& info : AllStrategies()) {
    // none, sigkill at mid-record, sigkill at random, then every other fault
    // kind at mid-record.
    const std::vector<std::string> other_kinds = {"abort", "exit-no-flush", "oom", "disk-full", "eio"};
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
      (void)ValidateScenario(&s);  // fills option defaults; the matrix is valid by construction
      out.push_back(std::move(s));
    }
    if (info.name == "queue-writer") {
      // The writer stops reading: workers block in write(2) on the full pipe.
      // The hang is the finding; the deadline is short so it costs a second.
      Scenario s;
      s.strategy = std::string(info.name);
      s.workload = quick ? Workload{16, 8, 256} : Workload{64, 16, 256};
      s.seed = 42;
      s.trials = quick ? 1 : 3;
      s.deadline_ms = 1000;
      s.fault.kind = "pipe-full";
      s.fault.target = FaultTarget::kWriter;
      s.fault.trigger.type = TriggerType::kPoint;
      s.fault.trigger.point = FaultPoint::kMidRecord;
      s.fault.trigger.occurrence = 5;
      s.name = s.strategy + "/" + FaultLabel(s.fault);
      s.forbid = {AnomalyKind::kInterleaved, AnomalyKind::kDuplicate, AnomalyKind::kSilentFailure};
      (void)ValidateScenario(&s);
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace crashbench
