// The observers shipped with the tap: one that only records, and one that
// fires a fault's action at the K-th call matching a syscall trigger and
// remembers where it fired. A command subject plugs them in.
//
//   TriggerObserver obs(trigger /* occurrence resolved */, {SyscallAction::kKillCaller},
//                       FaultTarget::kCaller);
//   Result<TapOutcome> r = RunTapped(cmd, obs);
//   if (obs.fired()) puts(EventSignature(*obs.fired()).c_str());
#pragma once

#include <optional>

#include "harness/inject/fault.h"
#include "harness/tap/syscall_trigger.h"
#include "harness/tap/tap.h"

namespace crashbench {

// Lets every call run: the tap's event list is the record.
class Recorder final : public TapObserver {
 public:
  TapAction OnEvent(const TapEvent&, TapPhase) override { return {}; }
  bool WantsAfter(const TapEvent&) const override { return false; }
};

// Which processes a fault aimed at `target` acts on: kCaller and the pool's
// targets act on the caller, kRoot on the root, kTree on every process.
TapAction AimAt(SyscallAction action, FaultTarget target);

class TriggerObserver final : public TapObserver {
 public:
  // REQUIRES: trigger.occurrence is set (>= 1); a "random" one is resolved
  // first, from the seed, among the matches of a fault-free recording run.
  // A trigger with "contains" needs TapCommand::keep_bytes.
  TriggerObserver(SyscallTrigger trigger, SyscallAction action, FaultTarget target);

  TapAction OnEvent(const TapEvent& e, TapPhase phase) override;
  // Only the call it fires after ("when": "after").
  bool WantsAfter(const TapEvent& e) const override { return e.seq == fire_after_seq_; }

  // Matching events seen so far (counted before each call runs).
  long long matches() const { return matches_; }
  // The event the action fired at (with its result when it fired after the
  // call), or nothing when the run had fewer matching events.
  const std::optional<TapEvent>& fired() const { return fired_; }
  // EventSignature(*fired()), or "" when it did not fire.
  std::string fired_signature() const;

 private:
  SyscallTrigger trigger_;
  TapAction action_;
  long long matches_ = 0;
  long long fire_after_seq_ = 0;  // when "after": the event whose exit stop fires
  std::optional<TapEvent> fired_;
};

}  // namespace crashbench
