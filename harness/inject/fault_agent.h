// The in-process half of fault scheduling. Every process of a trial (workers
// and a strategy's writer) maps one shared region of counters; strategy code
// calls Point() and RecordWritten(), and the process whose call reaches the
// trigger fires the fault at that exact moment: on itself when it is a target,
// and by asking the supervisor (one byte on the fire pipe) for the others.
//
// Everything here runs in forked children: no allocation, no locks, only
// atomics on the shared region and async-signal-safe calls.
#pragma once

#include <atomic>
#include <string>

#include "harness/base/status.h"
#include "harness/base/sys.h"
#include "harness/inject/fault.h"

namespace crashbench {

enum class Role { kWorker = 0, kWriter = 1 };

// A fault with every choice made for one trial (occurrence, target, time).
struct ArmedFault {
  const Fault* impl = nullptr;  // null: no fault
  FaultTarget target = FaultTarget::kWorker;
  TriggerType trigger = TriggerType::kNone;
  FaultPoint point = FaultPoint::kMidRecord;  // kPoint
  long long occurrence = 1;                   // kPoint: the k-th time the point is reached;
                                              // kSyscall: the k-th matching call
  long long after_records = 0;                // kAfterRecords
  long long at_us = 0;                        // kAfterMs, kRandom: after the workers start
  int target_worker = 0;                      // target kWorker, unless point-triggered
  // kSyscall where crashbench chose the call (a random occurrence, --explore):
  // the fault-free run's event there, by content (its signature without the
  // process: "write part-3.json @0+8192 crc=..."), and which of the events
  // with that content it is (1: the first). In a pool the k-th matching call
  // depends on scheduling; the call that writes those bytes there does not.
  // "" : the occurrence-th matching call.
  std::string syscall_point;
  long long syscall_point_rank = 1;
};

struct FaultShared {
  std::atomic<long long> point_count[2][kNumFaultPoints];  // [role][point]
  std::atomic<long long> records;
  std::atomic<int> fired;  // 0 until some process claims the firing
  // Written once by the process that claimed `fired`, before it signals.
  int fired_pid;
  int fired_role;
  int fired_point;  // -1 when not a point trigger
  long long fired_occurrence;
  long long fired_records;
  int fired_self;  // 1 when the firing process was itself a target
  // The pid of the process a fault acted in, set by that process just before
  // it acts (a signal to a process that already exited acts nowhere, and a
  // fault sent to act at the target's next point may never get there).
  std::atomic<int> acted_pid;
};

// The shared region: a memfd (so spawned workers can map it too) mapped shared.
class FaultRegion {
 public:
  static Result<FaultRegion> Create();
  static Result<FaultRegion> Map(int fd);  // in a spawned worker
  FaultRegion(FaultRegion&& o) noexcept;
  FaultRegion& operator=(FaultRegion&&) = delete;
  ~FaultRegion();
  FaultShared* get() const { return shared_; }
  int fd() const { return fd_.get(); }

 private:
  FaultRegion(UniqueFd fd, FaultShared* shared) : fd_(std::move(fd)), shared_(shared) {}
  UniqueFd fd_;
  FaultShared* shared_;
};

// Installs, in a worker or writer, the handlers through which the supervisor
// delivers faults that must act inside the target: SIGUSR1 calls _exit(0)
// (exit-no-flush); SIGUSR2 makes the next fault point fire (oom).
// REQUIRES: BlockInProcessFaultSignals() ran in the parent before the fork, so
// that a fault signal sent before the handlers exist waits instead of killing.
void InstallInProcessFaultHandlers(FaultShared* shared);
void BlockInProcessFaultSignals();

class FaultAgent {
 public:
  // result_fd: a worker's pipe to the supervisor (-1 for a writer), which a
  // fault that breaks_result_pipe() has the supervisor close.
  FaultAgent(const ArmedFault& fault, FaultShared* shared, Role role, int index, int fire_fd,
             int result_fd = -1)
      : fault_(fault),
        shared_(shared),
        role_(role),
        index_(index),
        fire_fd_(fire_fd),
        result_fd_(result_fd) {}
  void Point(FaultPoint p) { (void)Reach(p, false); }
  // Like Point(), except that when the fault is to act in this very process
  // here, it does not act yet: returns true, and the caller does what a
  // process dying here leaves behind (a partly sent message), then calls
  // FireNow(), which does not return for kill-like faults.
  bool PointDeferringSelf(FaultPoint p) { return Reach(p, true); }
  void FireNow();
  void RecordWritten();

 private:
  bool Reach(FaultPoint p, bool defer_self);
  bool IsTarget() const;
  void FireDeferred();
  bool Fire(int point, long long occurrence, bool defer_self);
  const ArmedFault& fault_;
  FaultShared* shared_;
  Role role_;
  int index_;
  int fire_fd_;
  int result_fd_;
};

}  // namespace crashbench
