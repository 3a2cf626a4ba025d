// Says where a live process is blocked, from /proc: its wait channel, the
// system call it is in, and what that call's descriptor points at.
//   "worker 3 (pid 4242) blocked in write(2) on fd 5 (pipe:[123]), wchan anon_pipe_write"
#pragma once

#include <sys/types.h>

#include <string>

namespace crashbench {

std::string DiagnoseBlockedProcess(const std::string& who, pid_t pid);

}  // namespace crashbench
