// A fault: what breaks, where and when. The interface every fault implements,
// what it needs of the subject it is aimed at, and the names of the places and
// targets it can be aimed at. The faults themselves live in faults/ (one file
// each, plus one line in faults/registry.cc); this layer never names one, and
// no code outside a fault's own file switches on its name.
//
// A fault acts in one of two places:
//  - in the target process itself, at the exact moment a trigger is reached
//    inside strategy code (a named fault point, the N-th record): FireInSelf();
//  - from the supervisor, on a process it holds a pidfd for (a random moment,
//    a sibling of the process that reached the trigger): FireAt().
// A fault with more than one way of being produced (methods(): a real full
// disk or an injected ENOSPC) sets up its way in the trial process before the
// subject starts: PrepareScene().
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/base/status.h"
#include "harness/inject/syscall_action.h"

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

// The built-in pool's targets, then a command subject's (processes of the
// tree the syscall tap runs): the process that made the stopped call, the
// whole tree at once, the command itself.
enum class FaultTarget { kWorker, kAllWorkers, kWriter, kPool, kCaller, kTree, kRoot };
std::string_view FaultTargetName(FaultTarget t);
bool FaultTargetFromName(std::string_view name, FaultTarget* out);
inline constexpr std::string_view kFaultTargetNames =
    "worker, all-workers, writer, pool, caller, tree, root";
inline constexpr std::string_view kPoolTargetNames = "worker, all-workers, writer, pool";
inline constexpr std::string_view kCommandTargetNames = "caller, tree, root";
// caller, tree, root: a target in a command subject's process tree.
bool IsCommandTarget(FaultTarget t);

// kSyscall: the K-th stopped system call matching a SyscallTrigger
// (harness/tap/syscall_trigger.h), seen by the syscall tap.
enum class TriggerType { kNone, kAfterRecords, kAfterMs, kRandom, kPoint, kSyscall };

// One thing a fault may need of the subject it is aimed at; a subject offers
// a set of them (FaultHost).
enum class FaultNeed : uint8_t {
  kSignal,          // a signal sent to a target process the subject holds a pidfd for
  kInProcessHook,   // code inside the target at its fault points, records and fault signals
  kResultPipe,      // the supervisor's own end of a worker's result pipe
  kFailingSyscall,  // the target's own write, fsync and close calls fail with an injected errno
  kOwnSetUp,        // a real method with a set-up of its own in the trial (a mount, a cgroup)
  kSyscallStop,     // the target stopped at a system call by the syscall tap
  kRecordedRun,     // every file operation of the whole run recorded by the tap, in one order,
                    // with the acknowledgements among them (power loss replays it)
};
inline constexpr int kNumFaultNeeds = 7;
// For messages: "a signal to the target process".
std::string_view FaultNeedDescription(FaultNeed n);

// With FaultNeed::kResultPipe: what the supervisor does to its end of the
// result pipe of a worker the fault is aimed at, instead of acting in the
// worker, which carries on: the reader dies (kClose: the supervisor closes
// its end) or stops reading (kStall: the supervisor never reads it again).
enum class ResultPipe { kUntouched, kClose, kStall };

// A set of needs. What a fault needs and what a subject offers are both one.
class FaultNeeds {
 public:
  constexpr FaultNeeds() = default;
  constexpr FaultNeeds(std::initializer_list<FaultNeed> needs) {
    for (FaultNeed n : needs) bits_ |= Bit(n);
  }
  static constexpr FaultNeeds All() {
    FaultNeeds all;
    all.bits_ = (1u << kNumFaultNeeds) - 1;
    return all;
  }
  // Adds kResultPipe, and what the supervisor does to its end.
  constexpr FaultNeeds WithResultPipe(ResultPipe how) const {
    FaultNeeds with = *this;
    with.bits_ |= Bit(FaultNeed::kResultPipe);
    with.result_pipe_ = how;
    return with;
  }
  constexpr bool has(FaultNeed n) const { return (bits_ & Bit(n)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr ResultPipe result_pipe() const { return result_pipe_; }
  constexpr FaultNeeds operator|(const FaultNeeds& o) const {
    FaultNeeds both = *this;
    both.bits_ |= o.bits_;
    if (o.result_pipe_ != ResultPipe::kUntouched) both.result_pipe_ = o.result_pipe_;
    return both;
  }
  // The needs of this set that `offered` lacks.
  constexpr FaultNeeds Lacking(const FaultNeeds& offered) const {
    FaultNeeds lacking;
    lacking.bits_ = bits_ & ~offered.bits_;
    return lacking;
  }
  // "a signal to the target process and a failing system call"; "nothing".
  std::string Describe() const;

 private:
  static constexpr unsigned Bit(FaultNeed n) { return 1u << static_cast<unsigned>(n); }
  unsigned bits_ = 0;
  ResultPipe result_pipe_ = ResultPipe::kUntouched;
};

// What a trigger needs of the subject on top of the fault's own needs: one
// counted inside the target (a fault point, the N-th record) needs the hook;
// a syscall trigger needs the target stopped at the call (and then replaces
// the fault's own needs: it acts through Fault::at_syscall()).
FaultNeeds TriggerNeeds(TriggerType t);

// What a subject offers the faults aimed at it. Each kind of subject declares
// one; a scenario whose fault needs more is refused before anything runs.
struct FaultHost {
  std::string_view subject;  // for messages: "the built-in pool"
  FaultNeeds offers;
};
// The built-in worker pool (harness/subject/pool.h) hosts every need but a
// stop at a system call: its workers run the fault agent, it holds every
// process's pidfd and reads every worker's result pipe, and strategy code
// consults the injected errors. A recorded run is the pool run whole under
// the syscall tap (its supervisor a traced function, its acknowledgements
// written to a watched ack file); no fault acts in such a run. It is
// declared here, below the scenarios validated against it.
inline constexpr FaultHost kBuiltInPoolHost = {
    "the built-in pool",
    {FaultNeed::kSignal, FaultNeed::kInProcessHook, FaultNeed::kResultPipe,
     FaultNeed::kFailingSyscall, FaultNeed::kOwnSetUp, FaultNeed::kRecordedRun}};

// What the process a fault acts in offers it (FireInSelf): the in-process half
// of its subject.
class TargetProcess {
 public:
  // FaultNeed::kFailingSyscall. From now on the process's own write, fsync and
  // close calls (strategy code, never the harness's pipes) fail with err: once
  // (the next write or fsync only) or persistently (every later one, and the
  // final flush of a stdio stream too).
  virtual void FailSystemCalls(int err, bool persistent) = 0;

 protected:
  ~TargetProcess() = default;
};

// A key a fault takes beside "kind" in a scenario ("model": "lazyfs"). The
// value is one of `values` (the first is the default), or, when
// accepts_count, a positive integer too (kept as its decimal text).
struct FaultOption {
  std::string_view key;
  std::vector<std::string_view> values;
  bool accepts_count = false;
  std::string_view help;
};

// One way of producing a fault, and what it needs beyond the fault's own needs.
struct FaultMethod {
  std::string_view name;
  FaultNeeds adds;
};

// A fault's own set-up for one trial, made in the trial process before the
// subject starts (a tmpfs in a mount namespace of the trial's own, a memory
// cgroup), and the method that runs in it (results say which ran).
class FaultScene {
 public:
  explicit FaultScene(std::string method) : method_(std::move(method)) {}
  virtual ~FaultScene() = default;
  const std::string& method() const { return method_; }
  // After the subject ended, before anyone reads the output (the verifier, a
  // restart): removes what the fault left that is not output.
  virtual void BeforeReading() {}
  // After the verifier: undoes the set-up, leaving the output where the
  // trial's directory is (so a kept trial keeps what the reader saw).
  virtual Status TearDown() { return Status::Ok(); }

 private:
  std::string method_;
};

struct SceneRequest {
  std::string method;          // as the scenario asks: "auto" or one of methods()
  std::string dir;             // the trial's output directory
  long long bytes_needed = 0;  // what the fault-free workload writes
};

class Fault {
 public:
  virtual ~Fault() = default;
  virtual std::string_view name() const = 0;
  // One sentence: which real crash this models, and whether the page cache
  // survives it (a killed process keeps it; a power loss does not).
  virtual std::string_view models() const = 0;
  // What the fault needs of its subject, whatever its method.
  virtual FaultNeeds needs() const = 0;
  // Runs in the target, at the trigger. Kill-like faults do not return.
  // Async-signal-safe: may run in a forked worker at any point.
  virtual void FireInSelf(TargetProcess& self) const = 0;
  // Runs in the supervisor against a process it started.
  virtual Status FireAt(int pidfd) const = 0;
  // The capacity strategies give the pipes they create while this fault is
  // armed (F_SETPIPE_SZ); 0 leaves the kernel's default.
  virtual int pipe_bytes() const { return 0; }
  // True when FireAt() only asks the target to act at its next fault point
  // (the fault cannot run in a signal handler): it may never get there.
  virtual bool acts_at_next_point() const { return false; }
  // False for faults the target lives through (a full disk, an I/O error):
  // acting in a process is then not a death, whatever its exit status says.
  virtual bool ends_process() const { return true; }
  // What the fault does to a system call the syscall tap stopped (a syscall
  // trigger): kill, abort, exit, fail with an errno, cut the length. nullopt:
  // it cannot act at a system call.
  virtual std::optional<SyscallAction> at_syscall() const { return std::nullopt; }
  // True for a fault that is the whole run, not an event in it (power loss:
  // its crash points are every cut of the recorded run). It takes no target
  // and no trigger, and a scenario that gives one is refused.
  virtual bool whole_run() const { return false; }
  // The keys it takes beside "kind" (model options), validated by the
  // scenario parser; none by default.
  virtual std::vector<FaultOption> options() const { return {}; }
  // Whether the options, each valid alone and defaults filled in, go
  // together; an error names the clash.
  virtual Status CheckOptions(const std::map<std::string, std::string>&) const {
    return Status::Ok();
  }

  // The ways this fault can be produced, "auto" first: "auto" takes a real
  // method where the machine allows it and falls back to the one that always
  // works, so it adds nothing to needs().
  virtual std::vector<FaultMethod> methods() const { return {{"auto", {}}}; }
  // In the trial process, before the subject starts: decides the method and
  // sets up what it needs. Null: nothing set up and no method to report. An
  // error when a method asked for by name is not possible here.
  virtual Result<std::unique_ptr<FaultScene>> PrepareScene(const SceneRequest& request) const;
  // Whether `method` works on this machine. Ok for "auto" and for methods that
  // always work; a real one is tried once, in a child process.
  virtual Status ProbeMethod(std::string_view method) const;
};

// The needs of a fault produced by `method` (one of its methods()).
FaultNeeds NeedsOfMethod(const Fault& fault, std::string_view method);

// Ok when `host` offers everything `fault`, made by `method` and fired by a
// trigger of type `trigger`, needs; otherwise an error naming the fault, what
// it needs that the host lacks, and the subject. At a syscall trigger the
// fault needs only the stop (and its method's own set-up), and must have an
// action there (at_syscall()).
Status CheckFaultHostable(const Fault& fault, std::string_view method, TriggerType trigger,
                          const FaultHost& host);

// Sends sig through a pidfd the supervisor holds. A process that already
// ended is not an error: the fault simply had nothing left to hit.
Status SignalThroughPidfd(int pidfd, int sig);

}  // namespace crashbench
