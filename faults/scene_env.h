// What the faults with a real method (disk-full's tmpfs, oom's cgroup) share:
// the trial publishes its fault scene in its environment, which fork and exec
// both pass on to every worker and writer; the fault reads it back when it
// fires (at a fault point, not in a signal handler). And the probe that tries
// a real method once, in a child process, before a run relies on it.
#pragma once

#include <string>
#include <string_view>

#include "harness/base/status.h"
#include "harness/inject/fault.h"

namespace crashbench {

struct PublishedScene {
  std::string method;  // "tmpfs", "injected", "cgroup", "rlimit"
  std::string dir;     // tmpfs: the output directory (the mount point)
  std::string cgroup;  // cgroup: its directory under /sys/fs/cgroup
};

// In the trial process, before the subject starts.
void PublishScene(const PublishedScene& scene);
// In the process the fault acts in.
PublishedScene PublishedSceneOfThisProcess();

// Writes text into an existing file (a cgroup's control files).
Status WriteSmallFile(const std::string& path, const std::string& text);

// Prepares and tears down fault's scene for `method` in a child process (its
// mount namespace and cgroup go with it): Ok when both work here, else why.
Status ProbeSceneInChild(const Fault& fault, std::string_view method);

}  // namespace crashbench
