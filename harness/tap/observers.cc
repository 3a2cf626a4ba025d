#include "harness/tap/observers.h"

namespace crashbench {

TapAction AimAt(SyscallAction action, FaultTarget target) {
  if (target == FaultTarget::kTree) {
    action.scope = SyscallAction::kTree;
    if (action.kind == SyscallAction::kKillCaller) action.kind = SyscallAction::kKillTree;
  } else if (target == FaultTarget::kRoot) {
    action.scope = SyscallAction::kRoot;
  }
  return action;
}

TriggerObserver::TriggerObserver(SyscallTrigger trigger, SyscallAction action, FaultTarget target)
    : trigger_(std::move(trigger)), action_(AimAt(action, target)) {}

TapAction TriggerObserver::OnEvent(const TapEvent& e, TapPhase phase) {
  if (phase == TapPhase::kAfter) {
    if (fire_after_seq_ == 0 || e.seq != fire_after_seq_) return {};
    fire_after_seq_ = 0;
    fired_ = e;
    return action_;
  }
  if (!TriggerMatches(trigger_, e)) return {};
  ++matches_;
  if (fired_ || fire_after_seq_ || matches_ != trigger_.occurrence.value_or(0)) return {};
  if (trigger_.when == TapPhase::kAfter) {
    fire_after_seq_ = e.seq;
    return {};
  }
  fired_ = e;
  return action_;
}

std::string TriggerObserver::fired_signature() const {
  return fired_ ? EventSignature(*fired_) : "";
}

}  // namespace crashbench
