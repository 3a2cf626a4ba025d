// A fault: what breaks, where and when. The interface every fault implements,
// and the names of the places and targets it can be aimed at. The faults
// themselves live in faults/ (one file each, plus one line in
// faults/registry.cc); this layer never names one.
//
// A fault acts in one of two places:
//  - in the target process itself, at the exact moment a trigger is reached
//    inside strategy code (a named fault point, the N-th record): FireInSelf();
//  - from the supervisor, on a process it holds a pidfd for (a random moment,
//    a sibling of the process that reached the trigger): FireAt().
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/base/status.h"

namespace crashbench {

// Named places inside a strategy where a fault may be scheduled.
enum class FaultPoint {
  kBeforeWrite,
  kMidRecord,  // between the two halves of one record's bytes
  kAfterWrite,
  kBeforeFsync,
  kBeforeRename,
  kAfterRename,
  kBeforeAck,
};
inline constexpr int kNumFaultPoints = 7;
std::string_view FaultPointName(FaultPoint p);
bool FaultPointFromName(std::string_view name, FaultPoint* out);
std::string FaultPointNameList();

enum class FaultTarget { kWorker, kAllWorkers, kWriter, kPool };
std::string_view FaultTargetName(FaultTarget t);
bool FaultTargetFromName(std::string_view name, FaultTarget* out);
inline constexpr std::string_view kFaultTargetNames = "worker, all-workers, writer, pool";

enum class TriggerType { kNone, kAfterRecords, kAfterMs, kRandom, kPoint };

class Fault {
 public:
  virtual ~Fault() = default;
  virtual std::string_view name() const = 0;
  // One sentence: which real crash this models, and whether the page cache
  // survives it (a killed process keeps it; a power loss does not).
  virtual std::string_view models() const = 0;
  // Runs in the target, at the trigger. Kill-like faults do not return.
  // Async-signal-safe: may run in a forked worker at any point.
  virtual void FireInSelf() const = 0;
  // Runs in the supervisor against a process it started.
  virtual Status FireAt(int pidfd) const = 0;
  // The capacity strategies give the pipes they create while this fault is
  // armed (F_SETPIPE_SZ); 0 leaves the kernel's default.
  virtual int pipe_bytes() const { return 0; }
  // True when FireAt() only asks the target to act at its next fault point
  // (the fault cannot run in a signal handler): it may never get there.
  virtual bool acts_at_next_point() const { return false; }
  // Aimed at a worker, some faults act on the worker's result pipe from the
  // supervisor's side (the supervisor is its reader) instead of in the worker,
  // which carries on: the reader dies (kClose: the supervisor closes its end)
  // or stops reading (kStall: the supervisor never reads it again).
  enum class ResultPipe { kUntouched, kClose, kStall };
  virtual ResultPipe result_pipe() const { return ResultPipe::kUntouched; }
  // False for faults the target lives through (a full disk, an I/O error):
  // acting in a process is then not a death, whatever its exit status says.
  virtual bool ends_process() const { return true; }
};

// Sends sig through a pidfd the supervisor holds. A process that already
// ended is not an error: the fault simply had nothing left to hit.
Status SignalThroughPidfd(int pidfd, int sig);

}  // namespace crashbench
