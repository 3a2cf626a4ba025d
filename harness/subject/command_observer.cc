#include "harness/subject/command_observer.h"

#include "harness/subject/command_subject.h"
#include "harness/tap/observers.h"

namespace crashbench {
namespace {

class RecordOnly final : public FaultObserver {
 public:
  TapAction OnEvent(const TapEvent&, TapPhase) override { return {}; }
  void Configure(TapCommand*) const override {}
  nlohmann::json Fired(const TapOutcome&) const override { return nullptr; }
  long long AcksCountUpTo() const override { return 0; }
};

// The fault's action at the armed occurrence of the scenario's syscall trigger.
class AtSyscall final : public FaultObserver {
 public:
  AtSyscall(SyscallTrigger trigger, SyscallAction action, FaultTarget target)
      : contains_(!trigger.contains.empty()),
        when_(trigger.when),
        occurrence_(trigger.occurrence.value_or(1)),
        point_(trigger.point),
        aimed_(AimAt(action, target)),
        inner_(std::move(trigger), action, target) {}

  TapAction OnEvent(const TapEvent& e, TapPhase phase) override { return inner_.OnEvent(e, phase); }
  void Configure(TapCommand* cmd) const override { cmd->keep_bytes |= contains_; }

  nlohmann::json Fired(const TapOutcome&) const override {
    if (!inner_.fired()) return nullptr;
    nlohmann::json j = FiredEventToJson(*inner_.fired());
    j["occurrence"] = occurrence_;
    if (!point_.empty()) j["point"] = point_;  // occurrence counts events at that point
    j["when"] = when_ == TapPhase::kBefore ? "before" : "after";
    j["action"] = DescribeSyscallAction(aimed_);
    return j;
  }

  // Killed at once, the whole tree wrote nothing after the fired event.
  long long AcksCountUpTo() const override {
    const bool whole_run =
        aimed_.kind == SyscallAction::kKillTree ||
        (aimed_.kind == SyscallAction::kKillCaller && aimed_.scope == SyscallAction::kTree);
    return inner_.fired() && whole_run ? inner_.fired()->seq : 0;
  }

 private:
  const bool contains_;
  const TapPhase when_;
  const long long occurrence_;
  const std::string point_;
  const SyscallAction aimed_;
  TriggerObserver inner_;
};

// The fault's action at a moment (after_ms, random): the tap's alarm.
class AtMoment final : public FaultObserver {
 public:
  AtMoment(long long at_us, SyscallAction action, FaultTarget target)
      : at_us_(at_us), aimed_(AimAt(action, target)) {}

  TapAction OnEvent(const TapEvent&, TapPhase) override { return {}; }
  TapAction OnAlarm() override {
    fired_ = true;
    return aimed_;
  }
  void Configure(TapCommand* cmd) const override { cmd->alarm_us = at_us_; }
  nlohmann::json Fired(const TapOutcome&) const override {
    if (!fired_) return nullptr;
    return {{"at_us", at_us_}, {"action", DescribeSyscallAction(aimed_)}};
  }
  long long AcksCountUpTo() const override { return 0; }

 private:
  const long long at_us_;
  const SyscallAction aimed_;
  bool fired_ = false;
};

}  // namespace

std::unique_ptr<FaultObserver> MakeFaultObserver(const FaultSchedule& fault,
                                                 const SyscallTrigger& trigger) {
  const ArmedFault& a = fault.armed;
  if (!a.impl) return std::make_unique<RecordOnly>();
  // Validation refused every fault without an action at a call (at_syscall()).
  const SyscallAction action = a.impl->at_syscall().value_or(SyscallAction{});
  if (a.trigger == TriggerType::kSyscall) {
    SyscallTrigger armed = trigger;
    armed.occurrence = a.occurrence;
    if (!a.syscall_point.empty()) {
      armed.point = a.syscall_point;
      armed.occurrence = a.syscall_point_rank;
    }
    return std::make_unique<AtSyscall>(std::move(armed), action, a.target);
  }
  return std::make_unique<AtMoment>(a.at_us, action, a.target);
}

}  // namespace crashbench
