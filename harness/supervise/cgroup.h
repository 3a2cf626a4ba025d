// A cgroup (v2) of a subject's own: every process the subject starts is in
// it, whatever it does to its process group or session (setsid, a double
// fork), so that one write to cgroup.kill ends the whole tree at once and
// the cgroup's "populated 0" proves nothing is left. Made under the
// cgroup crashbench itself is in, named crashbench-tap-<pid>-<n>; where no
// cgroup2 hierarchy is mounted or it is not writable, Create says why and
// the caller goes on with its process group alone.
//
//   Result<std::unique_ptr<SubjectCgroup>> cg = SubjectCgroup::Create();
//   if (cg.ok()) (*cg)->Add(child_pid);
//   ...
//   (*cg)->Kill();                   // the whole tree, SIGKILL
//   Status gone = (*cg)->Remove();   // kill what is left, wait, rmdir
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "harness/base/status.h"

namespace crashbench {

class SubjectCgroup {
 public:
  // A new, empty cgroup; an error saying why none can be made here.
  static Result<std::unique_ptr<SubjectCgroup>> Create();
  ~SubjectCgroup();  // Remove(), its error dropped
  SubjectCgroup(const SubjectCgroup&) = delete;
  SubjectCgroup& operator=(const SubjectCgroup&) = delete;

  const std::string& path() const { return path_; }
  // Moves pid (and the children it forks from now on) into the cgroup.
  Status Add(pid_t pid);
  // SIGKILL to every process in it, at once (cgroup.kill).
  Status Kill();
  bool Populated() const;
  // Kills what is left, waits up to timeout_ms for the cgroup to empty (a
  // process leaves it when it exits: zombies do not count), and removes it.
  // Idempotent.
  Status Remove(int timeout_ms = 5000);

 private:
  friend std::vector<std::string> RemoveStaleSubjectCgroups();
  explicit SubjectCgroup(std::string path) : path_(std::move(path)) {}
  std::string path_;
  bool removed_ = false;
};

// Removes the crashbench-tap-<pid>-<n> cgroups of crashbench processes that
// are gone (a run killed with -9): kills what is still in one, then rmdir.
// Says what it removed.
std::vector<std::string> RemoveStaleSubjectCgroups();

}  // namespace crashbench
