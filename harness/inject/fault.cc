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
constexpr std::array<std::string_view, 7> kTargetNames = {"worker", "all-workers", "writer", "pool",
                                                          "caller", "tree",        "root"};
constexpr std::array<std::string_view, kNumFaultNeeds> kNeedDescriptions = {
    "a signal to the target process",
    "a hook inside the target process (its fault points, records and fault signals)",
    "the supervisor's end of a worker's result pipe",
    "a failing system call (an injected errno at the target's write, fsync and close)",
    "a real method's own set-up in the trial (a mount, a cgroup)",
    "the target stopped at a system call by the syscall tap",
    "the whole run recorded by the syscall tap (every file operation and acknowledgement, in "
    "order)"};
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

bool IsCommandTarget(FaultTarget t) {
  return t == FaultTarget::kCaller || t == FaultTarget::kTree || t == FaultTarget::kRoot;
}

std::string_view FaultNeedDescription(FaultNeed n) {
  return kNeedDescriptions[static_cast<size_t>(n)];
}

std::string FaultNeeds::Describe() const {
  std::vector<std::string_view> parts;
  for (int i = 0; i < kNumFaultNeeds; ++i)
    if (has(static_cast<FaultNeed>(i)))
      parts.push_back(FaultNeedDescription(static_cast<FaultNeed>(i)));
  if (parts.empty()) return "nothing";
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i)
    (s += i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") += parts[i];
  return s;
}

FaultNeeds TriggerNeeds(TriggerType t) {
  if (t == TriggerType::kPoint || t == TriggerType::kAfterRecords)
    return {FaultNeed::kInProcessHook};
  if (t == TriggerType::kSyscall) return {FaultNeed::kSyscallStop};
  return {};
}

Result<std::unique_ptr<FaultScene>> Fault::PrepareScene(const SceneRequest&) const {
  return std::unique_ptr<FaultScene>();
}

Status Fault::ProbeMethod(std::string_view) const { return Status::Ok(); }

FaultNeeds NeedsOfMethod(const Fault& fault, std::string_view method) {
  FaultNeeds needs = fault.needs();
  for (const FaultMethod& m : fault.methods())
    if (m.name == method) needs = needs | m.adds;
  return needs;
}

Status CheckFaultHostable(const Fault& fault, std::string_view method, TriggerType trigger,
                          const FaultHost& host) {
  const bool at_syscall = trigger == TriggerType::kSyscall;
  std::string what = "fault '" + std::string(fault.name()) + "'";
  if (at_syscall && !fault.at_syscall())
    return Status::Error(what + " cannot act at a system call (it has no action there)");
  // At a stopped call the fault acts through the tap, not as it does elsewhere.
  FaultNeeds needs = at_syscall ? FaultNeeds{} : fault.needs();
  for (const FaultMethod& m : fault.methods())
    if (m.name == method) needs = needs | m.adds;
  const FaultNeeds own = needs.Lacking(host.offers);
  const FaultNeeds lacking = own | TriggerNeeds(trigger).Lacking(host.offers);
  if (lacking.empty()) return Status::Ok();
  if (method != "auto") what += " by method '" + std::string(method) + "'";
  // Say so when only the trigger is missing.
  if (own.empty())
    what += at_syscall ? " at a system call" : " with a trigger counted inside the target";
  return Status::Error(what + " needs " + lacking.Describe() + ", which " +
                       std::string(host.subject) + " cannot host (it offers " +
                       host.offers.Describe() + ")");
}

Status SignalThroughPidfd(int pidfd, int sig) {
  if (::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0) != 0 && errno != ESRCH)
    return ErrnoStatus(std::string("pidfd_send_signal(SIG") + sigabbrev_np(sig) + ")", errno);
  return Status::Ok();
}

}  // namespace crashbench
