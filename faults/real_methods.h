// The real-world methods of two faults, where the machine allows them:
//  - disk-full, method "tmpfs": the trial's output directory is a small tmpfs
//    mounted in a mount namespace of the trial's own (nothing leaks into the
//    host's mount table, even if the trial is killed); at the trigger the
//    target fills it, so every later write meets the kernel's own ENOSPC.
//  - oom, method "cgroup": a memory cgroup with a small limit (v1 or v2) the
//    target moves itself into at the trigger; it then allocates until the
//    kernel's OOM killer kills it (SIGKILL).
// Without root, a mount or a writable memory cgroup, "auto" falls back to the
// method that always works ("injected" ENOSPC, "rlimit"); a scenario that
// asks for a real method by name gets a harness error saying why instead.
//
// The trial decides before its processes start and publishes the decision in
// its environment, which fork and exec both pass on to every worker and
// writer; the fault reads it when it fires (at a fault point, not in a signal
// handler).
#pragma once

#include <string>
#include <vector>

#include "harness/base/status.h"

namespace crashbench {

struct FaultScene {
  std::string method;  // "tmpfs", "injected", "cgroup", "rlimit"; "" for other faults
  std::string dir;     // tmpfs: the output directory (the mount point)
  std::string cgroup;  // cgroup: its directory under /sys/fs/cgroup
};

// The methods each fault accepts, "auto" first; {"auto"} for faults with one.
std::vector<std::string> FaultMethods(const std::string& kind);

// In the trial process, before the pool starts. bytes_needed: what the
// fault-free workload writes (the tmpfs is sized well above it).
Result<FaultScene> PrepareFaultScene(const std::string& kind, const std::string& requested,
                                     const std::string& dir, long long bytes_needed);
// After the verifier: the output is copied off the tmpfs into the directory
// underneath (so --keep keeps it), the mount and the cgroup go.
Status TearDownFaultScene(const FaultScene& scene);
// The filler is removed before the verifier reads: it is not output.
void RemoveFiller(const FaultScene& scene);

// Whether a named real method ("tmpfs", "cgroup") works on this machine: tried
// once, in a child process (its mount namespace and cgroup go with it). Ok for
// "auto" and the fallbacks, which always work.
Status ProbeFaultMethod(const std::string& kind, const std::string& method);

// In the process the fault acts in.
FaultScene CurrentFaultScene();
// Fills the filesystem of scene.dir up to ENOSPC.
void FillFilesystem(const FaultScene& scene);
// Moves the calling process into scene.cgroup; false when it could not.
bool JoinCgroup(const FaultScene& scene);

}  // namespace crashbench
