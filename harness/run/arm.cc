// The choices a trial's fault is armed with, drawn from the trial's seed and,
// where the scenario leaves the occurrence or the moment open, from the
// scenario's calibration.
#include <algorithm>

#include "harness/run/trial.h"
#include "harness/tap/tap.h"

namespace crashbench {
namespace {

uint64_t Mix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace

uint64_t TrialSeed(uint64_t scenario_seed, int index) {
  return Mix(scenario_seed * 0x100000001B3ull + static_cast<uint64_t>(index)) >> 11;  // < 2^53
}

bool NeedsCalibration(const Scenario& s) {
  // old-or-new's "new" state is what a fault-free run leaves.
  if (s.subject && s.subject->verify.kind == OracleKind::kOldOrNew) return true;
  if (s.fault.kind == "none") return false;
  // A syscall trigger always: each trial checks that it fired at the event
  // the fault-free run had at the same occurrence.
  return s.fault.trigger.type == TriggerType::kRandom ||
         s.fault.trigger.type == TriggerType::kSyscall ||
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
      const TriggerSite site{TriggerRole(s.fault.target), t.point};
      long long reach = cal ? cal->trigger_sites.at(site) : 1;
      a.occurrence = 1 + static_cast<long long>(r2 % static_cast<uint64_t>(std::max(1LL, reach)));
    }
  } else if (t.type == TriggerType::kSyscall) {
    const long long matches = cal ? static_cast<long long>(cal->syscall_matches.size()) : 1;
    a.occurrence =
        t.syscall.value_or(SyscallTrigger{})
            .occurrence.value_or(
                1 + static_cast<long long>(r2 % static_cast<uint64_t>(std::max(1LL, matches))));
  } else if (t.type == TriggerType::kRandom) {
    long long window = cal ? std::max(1LL, cal->duration_us) : 1;
    a.at_us = static_cast<long long>(r2 % static_cast<uint64_t>(window));
  } else if (t.type == TriggerType::kAfterMs) {
    a.at_us = t.after_ms * 1000;
  }
  return a;
}

void AddressSyscallPoint(const Scenario& s, const Calibration* cal, ArmedFault* a) {
  const TriggerSpec& t = s.fault.trigger;
  if (s.fault.kind == "none" || t.type != TriggerType::kSyscall || !cal) return;
  if (t.syscall && t.syscall->occurrence) return;  // the scenario's own K
  const std::vector<std::string>& matches = cal->syscall_matches;
  const long long k = a->occurrence;
  if (k < 1 || k > static_cast<long long>(matches.size())) return;
  a->syscall_point = SignatureWithoutProcess(matches[static_cast<size_t>(k - 1)]);
  a->syscall_point_rank = 1;
  for (long long j = 1; j < k; ++j)
    a->syscall_point_rank += SameEventPoint(
        SignatureWithoutProcess(matches[static_cast<size_t>(j - 1)]), a->syscall_point);
}

}  // namespace crashbench
