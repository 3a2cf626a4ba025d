// What the tap does during one run of a command subject, from its fault
// schedule: a syscall trigger fires its fault's action at the matching event
// (TriggerObserver); a moment (after_ms, random) fires at the tap's alarm; no
// fault only records. Afterwards the observer says where the fault fired.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "harness/subject/subject.h"
#include "harness/tap/syscall_trigger.h"
#include "harness/tap/tap.h"

namespace crashbench {

class FaultObserver : public TapObserver {
 public:
  // Adds to the tap command what this fault needs of the tap (an alarm, the
  // written bytes for a "contains" trigger).
  virtual void Configure(TapCommand* cmd) const = 0;
  // Where the fault fired, for SubjectOutcome::fired; null when it did not.
  virtual nlohmann::json Fired(const TapOutcome& outcome) const = 0;
  // When the fault ended the whole run at an event: that event's seq, and an
  // ack written after it does not count (it cannot have been acknowledged
  // before the fault). 0: every ack counts.
  virtual long long AcksCountUpTo() const = 0;
};

// trigger: the scenario's syscall trigger (its occurrence comes from the
// armed fault); unused for other triggers.
std::unique_ptr<FaultObserver> MakeFaultObserver(const FaultSchedule& fault,
                                                 const SyscallTrigger& trigger);

}  // namespace crashbench
