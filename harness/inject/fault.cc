#include "harness/inject/fault.h"

#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace crashbench {
namespace {
constexpr std::array<std::string_view, kNumFaultPoints> kPointNames = {
    "before-write",  "mid-record",   "after-write", "before-fsync",
    "before-rename", "after-rename", "before-ack"};
constexpr std::array<std::string_view, 4> kTargetNames = {"worker", "all-workers", "writer",
                                                          "pool"};
}  // namespace

std::string_view FaultPointName(FaultPoint p) { return kPointNames[static_cast<size_t>(p)]; }

bool FaultPointFromName(std::string_view name, FaultPoint* out) {
  for (size_t i = 0; i < kPointNames.size(); ++i)
    if (kPointNames[i] == name) {
      *out = static_cast<FaultPoint>(i);
      return true;
    }
  return false;
}

std::string FaultPointNameList() {
  std::string s;
  for (auto n : kPointNames) (s += s.empty() ? "" : ", ") += n;
  return s;
}

std::string_view FaultTargetName(FaultTarget t) { return kTargetNames[static_cast<size_t>(t)]; }

bool FaultTargetFromName(std::string_view name, FaultTarget* out) {
  for (size_t i = 0; i < kTargetNames.size(); ++i)
    if (kTargetNames[i] == name) {
      *out = static_cast<FaultTarget>(i);
      return true;
    }
  return false;
}

Status SignalThroughPidfd(int pidfd, int sig) {
  if (::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) != 0 && errno != ESRCH)
    return ErrnoStatus(std::string("pidfd_send_signal(SIG") + sigabbrev_np(sig) + ")", errno);
  return Status::Ok();
}

}  // namespace crashbench
