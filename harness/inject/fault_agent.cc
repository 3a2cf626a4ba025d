#include "harness/inject/fault_agent.h"

#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <new>

#include "harness/inject/injected_errors.h"

namespace crashbench {

namespace {
Result<FaultShared*> MapShared(int fd) {
  void* p = ::mmap(nullptr, sizeof(FaultShared), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return ErrnoStatus("mmap fault region", errno);
  return static_cast<FaultShared*>(p);
}
}  // namespace

Result<FaultRegion> FaultRegion::Create() {
  UniqueFd fd(::memfd_create("crashbench-faults", MFD_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("memfd_create", errno);
  if (::ftruncate(fd.get(), sizeof(FaultShared)) != 0) return ErrnoStatus("ftruncate", errno);
  Result<FaultShared*> p = MapShared(fd.get());
  if (!p.ok()) return p.status();
  new (*p) FaultShared{};
  return FaultRegion(std::move(fd), *p);
}

Result<FaultRegion> FaultRegion::Map(int fd) {
  Result<FaultShared*> p = MapShared(fd);
  if (!p.ok()) return p.status();
  return FaultRegion(UniqueFd(), *p);
}

FaultRegion::FaultRegion(FaultRegion&& o) noexcept
    : fd_(std::move(o.fd_)), shared_(std::exchange(o.shared_, nullptr)) {}

FaultRegion::~FaultRegion() {
  if (shared_) ::munmap(shared_, sizeof(FaultShared));
}

namespace {
volatile sig_atomic_t g_fire_at_next_point = 0;
FaultShared* g_shared = nullptr;  // for the handler; set before it is installed
void OnExitNoFlush(int) {
  if (g_shared) g_shared->acted_pid.store(::getpid());  // lock-free: async-signal-safe
  ::_exit(0);
}
void OnFireAtNextPoint(int) { g_fire_at_next_point = 1; }
}  // namespace

void InstallInProcessFaultHandlers(FaultShared* shared) {
  g_shared = shared;
  struct sigaction sa {};
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = OnExitNoFlush;
  ::sigaction(SIGUSR1, &sa, nullptr);
  sa.sa_handler = OnFireAtNextPoint;
  ::sigaction(SIGUSR2, &sa, nullptr);
  // Delivered from here on, including a signal that arrived while blocked.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
}

void BlockInProcessFaultSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
}

void FaultAgent::FireDeferred() {
  if (g_fire_at_next_point && fault_.impl) {
    g_fire_at_next_point = 0;
    shared_->acted_pid.store(::getpid());
    fault_.impl->FireInSelf(ThisProcessAsTarget());
  }
}

bool FaultAgent::IsTarget() const {
  switch (fault_.target) {
    case FaultTarget::kWorker:
      // A point trigger kills the worker that reached the point; otherwise the
      // seed chose one worker.
      return role_ == Role::kWorker &&
             (fault_.trigger == TriggerType::kPoint || index_ == fault_.target_worker);
    case FaultTarget::kAllWorkers:
      return role_ == Role::kWorker;
    case FaultTarget::kWriter:
      return role_ == Role::kWriter;
    case FaultTarget::kPool:
      return true;
    case FaultTarget::kCaller:  // a command subject's targets: never in the pool
    case FaultTarget::kTree:
    case FaultTarget::kRoot:
      return false;
  }
  return false;
}

bool FaultAgent::Reach(FaultPoint p, bool defer_self) {
  FireDeferred();
  const int pi = static_cast<int>(p);
  long long n = shared_->point_count[static_cast<int>(role_)][pi].fetch_add(1) + 1;
  if (!fault_.impl || fault_.trigger != TriggerType::kPoint || p != fault_.point ||
      n != fault_.occurrence)
    return false;
  // A writer-targeted fault counts the writer's visits; every other target
  // counts the workers'.
  const bool counts = (fault_.target == FaultTarget::kWriter) == (role_ == Role::kWriter);
  return counts && Fire(pi, n, defer_self);
}

void FaultAgent::FireNow() {
  if (fault_.impl) fault_.impl->FireInSelf(ThisProcessAsTarget());
}

void FaultAgent::RecordWritten() {
  if (role_ != Role::kWorker) return;
  long long n = shared_->records.fetch_add(1) + 1;
  if (fault_.impl && fault_.trigger == TriggerType::kAfterRecords && n == fault_.after_records)
    (void)Fire(-1, n, false);
}

bool FaultAgent::Fire(int point, long long occurrence, bool defer_self) {
  int expected = 0;
  if (!shared_->fired.compare_exchange_strong(expected, 1)) return false;
  const bool self = IsTarget();
  shared_->fired_pid = ::getpid();
  shared_->fired_role = static_cast<int>(role_);
  shared_->fired_point = point;
  shared_->fired_occurrence = occurrence;
  shared_->fired_records = shared_->records.load();
  shared_->fired_self = self ? 1 : 0;
  // The supervisor fires at every other target it holds a pidfd for. It learns
  // of this firing before this process's death, so it never mistakes the death
  // for an unexplained one.
  const bool others =
      !(self && (fault_.target == FaultTarget::kWorker || fault_.target == FaultTarget::kWriter));
  char byte = 'F';
  if (self) shared_->acted_pid.store(::getpid());
  if (others || self) (void)WriteFull(fire_fd_, &byte, 1);
  const ResultPipe on_pipe = fault_.impl->needs().result_pipe();
  if (self && role_ == Role::kWorker && on_pipe == ResultPipe::kStall) return false;
  if (self && role_ == Role::kWorker && result_fd_ >= 0 && on_pipe == ResultPipe::kClose) {
    // The supervisor closes its end of our result pipe; go on once it has
    // (POLLERR: no reader left), so our next report meets EPIPE for sure.
    pollfd p = {result_fd_, 0, 0};
    for (int waited_ms = 0; waited_ms < 10000; waited_ms += 10)
      if (::poll(&p, 1, 10) > 0 && (p.revents & POLLERR)) break;
    return false;
  }
  // Only a dying process leaves the partial state behind; a fault the target
  // lives through acts now, and the caller's work goes on whole.
  if (self && defer_self && fault_.impl->ends_process()) return true;
  if (self) fault_.impl->FireInSelf(ThisProcessAsTarget());
  return false;
}

}  // namespace crashbench
