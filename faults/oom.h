// What the oom fault leaves outside a trial: a trial killed from outside (or
// a crashbench killed with -9) leaves its empty crashbench-oom-<pid> memory
// cgroup behind; the next run and `crashbench clean` remove those whose pid
// is gone.
#pragma once

#include <string>
#include <vector>

namespace crashbench {

// Removes every crashbench-oom-<pid> cgroup (v1 memory and v2) under this
// process's own cgroup whose pid no longer exists; one line per removal.
// A cgroup that still holds a process is left (rmdir refuses it).
std::vector<std::string> RemoveStaleOomCgroups();

}  // namespace crashbench
