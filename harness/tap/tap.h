// The syscall tap: runs a command (and every process it starts) under a
// ptrace tracer whose seccomp filter stops only the file-changing system
// calls; every other call runs at full speed. At each stopped call on a file
// under the watched directory (or on one of the extra watched files, such as
// the ack file) the tap builds an Event and asks its observer what to do:
// let it run, kill the caller or the whole tree, fail it with an errno, cut
// its length. One stopped process is handled at a time, so the events of a
// run are totally ordered.
//
//   TapCommand cmd{.argv = {"python3", "job.py"}, .watch_dir = out};
//   Recorder rec;                       // an observer that only records
//   Result<TapOutcome> r = RunTapped(cmd, rec);
//   for (const TapEvent& e : r->events) puts(EventSignature(e).c_str());
//
// Why ptrace + SECCOMP_RET_TRACE and not LD_PRELOAD, strace or seccomp user
// notification: docs/DESIGN.md, "The syscall tap".
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/inject/syscall_action.h"

namespace crashbench {

// One stopped, file-changing system call, as the tap saw it.
struct TapEvent {
  long long seq = 0;                // 1, 2, ... in the order the tap handled them
  std::string process;              // place in the tree: "0" the command, "0.2" its third child
  int pid = 0;                      // thread-group id
  int tid = 0;                      // the thread that made the call
  std::string call;                 // the kernel's name: "write", "openat", "renameat2", ...
  std::string path;                 // relative to the watched directory ("part-3.jsonl",
                                    // "sub/x"); for an extra watched file, its name as given
  std::string path2;                // rename/link: the new name; symlink: the target as given
                                    // (path is the link made); else ""
  bool extra = false;               // on an extra watched file (an ack), not on output
  long long offset = -1;            // where the bytes go (the fd's position, or pwrite's), -1 n/a
  long long length = -1;            // bytes asked for (write, truncate, fallocate, ...), -1 n/a
  int open_flags = 0;               // open/openat/creat: O_* flags
  uint32_t bytes_crc = 0;           // CRC-32C of the bytes written (write-like calls)
  std::string bytes;                // the bytes written, when TapCommand::keep_bytes
  std::optional<long long> result;  // the call's return value; known only after it ran
};

// "0.1 write part-3.jsonl @4096+256 crc=1a2b3c4d": what a replay must find
// again at the same place. Never includes pid, tid or seq.
std::string EventSignature(const TapEvent& e);

// Whether two signatures name the same point of a run: equal, or equal but
// for a temporary file's random name (mkstemp's "sedw0YMFd" against
// "sedsq7Ei2"), which differs on every run of the same program.
bool SameEventPoint(const std::string& a, const std::string& b);

// "write part-3.jsonl @4096+256 crc=1a2b3c4d": a signature less the process
// that made the call, which in a pool is whichever worker took the task.
std::string SignatureWithoutProcess(const std::string& signature);

// What the tap does at a stopped call: the inject layer's SyscallAction
// (harness/inject/syscall_action.h), so that a Fault can name it.
using TapAction = SyscallAction;

enum class TapPhase { kBefore, kAfter };

class TapObserver {
 public:
  virtual ~TapObserver() = default;
  // At every event on a watched file: once before the call runs and, unless
  // the call was killed or failed before, once after (e.result set) when the
  // tap stops at the call's exit: always with TapCommand::results, else when
  // WantsAfter(e). The returned action applies now; kShortWrite and kFail
  // only before.
  virtual TapAction OnEvent(const TapEvent& e, TapPhase phase) = 0;
  // Asked after OnEvent(e, kBefore) let the call run: whether OnEvent(e,
  // kAfter) is wanted even without TapCommand::results. Each exit stop is a
  // second round trip through the tracer for that call.
  virtual bool WantsAfter(const TapEvent&) const { return true; }
  // At TapCommand::alarm_us after the start, once: a kill or abort applies at
  // once to the root (every process for kKillTree or scope kTree); an action
  // on a call (exit, fail, short write) waits for the root's next stopped call.
  virtual TapAction OnAlarm() { return {}; }
};

struct TapCommand {
  std::vector<std::string> argv;                      // argv[0] looked up in PATH
  std::map<std::string, std::string> env;             // added to (or replacing in) the environment
  std::string cwd;                                    // "" keeps the caller's
  std::string watch_dir;                              // only events under it count (absolute)
  std::vector<std::string> extra_files;               // also watched, reported with extra = true
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;  // -1: /dev/null for stdin, inherit else
  long long deadline_ms = 10000;                      // then: a diagnosed hang, the tree killed
  bool keep_bytes = false;                            // fill TapEvent::bytes
  bool skip_fsync = false;                            // fsync-like calls return 0 without running
  std::optional<long long> alarm_us;                  // then: TapObserver::OnAlarm()
  // Every event's result (a stop at each watched call's exit, so that one
  // call runs at a time and events are ordered as they happened); false:
  // only where the observer WantsAfter, about half the stops, result unset
  // elsewhere, and events ordered as the calls were entered (two processes'
  // calls may then complete in another order).
  bool results = true;
  // Run the subject in a cgroup (v2) of its own where one can be made here
  // (harness/supervise/cgroup.h): the whole-tree kill and the clean-up are
  // then one write to cgroup.kill, and nothing can leave by setsid.
  bool own_cgroup = true;
};

// How one process of the subject's tree ended.
struct TapProcessEnd {
  std::string process;  // "0.2"
  int pid = 0;
  std::string end;  // "exited 0", "killed by SIGKILL"
  int wait_status = 0;
};

struct TapOutcome {
  std::vector<TapEvent> events;          // every event, in order (kept whatever the observer says)
  std::vector<TapProcessEnd> processes;  // the root first
  int root_status = 0;                   // the root's wait status
  bool hang = false;                     // the deadline passed with a process alive
  std::string hang_diagnosis;            // which process, which thread, which call, which pipe
  long long duration_us = 0;
  std::string cgroup;       // the cgroup the subject ran in, removed since; "" none
  std::string cgroup_note;  // why it ran without one, or what its removal said
};

// Runs cmd under the tap until the root and every descendant have ended, or
// the deadline passed (then every process left is diagnosed and killed). An
// error only when the command could not be started or traced at all; the
// subject's own failures are in the outcome. Kills and waits only for the
// processes it started (their process group, and a cgroup of their own where
// one can be made).
Result<TapOutcome> RunTapped(const TapCommand& cmd, TapObserver& observer);

// The same for a function in a forked child of this process instead of a
// command: the child takes cmd's stdio and cwd (not argv or env: it is a
// copy of this process) and keep_fds (every other descriptor above 2 is
// closed), waits for the tracer, installs the tap's filter and exits with
// what body returns. Every process it forks is traced too, so the
// built-in pool's supervisor run this way has its workers (and a strategy's
// writer) traced from their first call. REQUIRES: this process is
// single-threaded (it forks); body runs in the child only.
Result<TapOutcome> RunTappedFunction(const TapCommand& cmd, const std::vector<int>& keep_fds,
                                     const std::function<int()>& body, TapObserver& observer);

// Whether this machine lets the tap run (ptrace allowed, seccomp available):
// Ok, or why not, for a test to print when it skips.
Status TapAvailable();

}  // namespace crashbench
