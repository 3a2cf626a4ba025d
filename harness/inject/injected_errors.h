// Injected errors: the failing system call a subject's processes offer faults
// (FaultNeed::kFailingSyscall), for faults that model a full disk or a
// failing device without root (no real small filesystem). A fault arms them
// through the TargetProcess it fires in; the strategies' own write, fsync and
// close calls (strategies/common.h) consult them, never the harness's pipes.
// A process is single-threaded and those calls take no context, so there is
// one set per process.
#pragma once

#include "harness/inject/fault.h"

namespace crashbench {

class InjectedErrors {
 public:
  static InjectedErrors& OfThisProcess();
  constexpr InjectedErrors() = default;
  // From now on the strategy's calls fail with err; once (the next write or
  // fsync only) or persistently (every later one, and the final flush too).
  void Arm(int err, bool persistent);
  // The errno the next strategy call must fail with, 0 for none. Consumes a
  // one-shot error.
  int TakeForNextCall();
  // A persistent error is in force (the final flush of a stdio stream fails too).
  bool PersistentInForce() const { return persistent_ && err_ != 0; }

 private:
  int err_ = 0;
  bool persistent_ = false;
};

// The calling process as a fault's target: what FaultAgent hands FireInSelf.
// Its failing system calls are InjectedErrors::OfThisProcess().
TargetProcess& ThisProcessAsTarget();

}  // namespace crashbench
