// locked-append: each task takes an exclusive lock, appends its records to the
// shared file with write(2) (flushed as it goes), and unlocks.
//
// Models: `with lock: f.write(line); f.flush()` per task, where a record
// reaches the kernel in two write(2) calls (a buffered writer flushing a
// record that straddles its buffer; a large write(2) can also stop part-way
// when a fatal signal arrives between pages). The lock keeps live writers from
// interleaving; what happens when its holder dies depends on the lock:
//
//   lock=flock (default)  flock(2). The kernel drops it when the holder dies,
//                         so nobody waits forever; but a holder killed between
//                         the two halves of a record leaves a torn line, and
//                         the next holder appends after it.
//   lock=fcntl            fcntl(F_SETLKW) record lock on the whole file: also
//                         released by the kernel at death; per process, not
//                         per open file.
//   lock=process-mutex    a process-shared pthread mutex in shared memory, as
//                         Python's multiprocessing.Lock (a semaphore) is.
//                         Nobody releases it when its holder is killed: every
//                         other worker waits forever (a hang).
//   lock=robust-mutex     the same mutex with PTHREAD_MUTEX_ROBUST, the fix: the
//                         next locker gets EOWNERDEAD, marks it consistent and
//                         goes on, after the torn record the dead holder left.
//
//   open=per-task (default)  each task opens the file itself.
//   open=inherited           the parent opens it once before the workers start
//                            and every worker uses the descriptor it
//                            inherited. A flock belongs to the open file
//                            description, which they all share: the lock
//                            excludes nobody, and records interleave.
#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "harness/base/sys.h"
#include "strategies/common.h"
#include "strategies/strategy.h"

namespace crashbench {
namespace {

enum class LockKind { kFlock, kFcntl, kProcessMutex, kRobustMutex };

LockKind ParseLock(const std::string& v) {
  if (v == "fcntl") return LockKind::kFcntl;
  if (v == "process-mutex") return LockKind::kProcessMutex;
  if (v == "robust-mutex") return LockKind::kRobustMutex;
  return LockKind::kFlock;
}

class LockedAppend final : public Strategy {
 public:
  ~LockedAppend() override {
    if (mutex_) ::munmap(mutex_, sizeof(pthread_mutex_t));
  }

  Status SetUp(const StrategyConfig& config, PoolHost& host) override {
    Configure(config);
    if (file_slot_ >= 0) {
      inherited_ = UniqueFd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644));
      if (!inherited_.valid()) return ErrnoStatus("open " + path_, errno);
      if (host.ShareWithWorkers(inherited_.get()) != file_slot_) return Status::Error("slot order");
    }
    if (mutex_slot_ >= 0) {
      // The mutex lives in a shared memory file every worker maps: fork
      // children inherit the mapping, spawned ones map the descriptor.
      mutex_fd_ = UniqueFd(::memfd_create("crashbench-lock", 0));
      if (!mutex_fd_.valid()) return ErrnoStatus("memfd_create", errno);
      if (::ftruncate(mutex_fd_.get(), sizeof(pthread_mutex_t)) != 0)
        return ErrnoStatus("ftruncate", errno);
      RETURN_IF_ERROR(MapMutex(mutex_fd_.get()));
      pthread_mutexattr_t attr;
      pthread_mutexattr_init(&attr);
      pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
      if (lock_ == LockKind::kRobustMutex) pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
      const int rc = pthread_mutex_init(mutex_, &attr);
      pthread_mutexattr_destroy(&attr);
      if (rc != 0) return ErrnoStatus("pthread_mutex_init", rc);
      if (host.ShareWithWorkers(mutex_fd_.get()) != mutex_slot_) return Status::Error("slot order");
    }
    return Status::Ok();
  }

  Status WorkerStart(WorkerContext& ctx) override {
    Configure(ctx.config());  // a spawned worker starts from a fresh object
    if (!mutex_ && mutex_slot_ >= 0) return MapMutex(ctx.SharedFd(mutex_slot_));
    return Status::Ok();
  }

  Status RunTask(WorkerContext& ctx, long long task) override {
    const StrategyConfig& c = ctx.config();
    UniqueFd own;
    int fd = -1;
    if (file_slot_ >= 0) {
      fd = ctx.SharedFd(file_slot_);
    } else {
      own = UniqueFd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
      if (!own.valid()) return ErrnoStatus("open " + path_, errno);
      fd = own.get();
    }
    {
      StageTimer t(ctx.clock(), Stage::kLockWait);
      RETURN_IF_ERROR(Lock(fd));
    }
    auto write = [&](const char* p, size_t n) { return FileWrite(fd, p, n, path_); };
    Status s;
    for (long long seq = 0; seq < c.records_per_task && s.ok(); ++seq) {
      s = WriteRecordInHalves(ctx, ctx.RecordText(task, seq, true), write);
      if (s.ok() && c.fsync() == FsyncMode::kRecord) s = SyncFd(ctx, fd, path_);
    }
    if (s.ok() && c.fsync() == FsyncMode::kTask) s = SyncFd(ctx, fd, path_);
    Unlock(fd);
    return s;
  }

 private:
  // The shared descriptors' slots follow from the options alone, so a
  // re-executed worker finds them without being told.
  void Configure(const StrategyConfig& config) {
    lock_ = ParseLock(config.option("lock"));
    path_ = config.dir + "/records.jsonl";
    int next = 0;
    file_slot_ = config.option("open") == "inherited" ? next++ : -1;
    mutex_slot_ = lock_ == LockKind::kProcessMutex || lock_ == LockKind::kRobustMutex ? next++ : -1;
  }

  Status MapMutex(int fd) {
    void* p = ::mmap(nullptr, sizeof(pthread_mutex_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return ErrnoStatus("mmap lock", errno);
    mutex_ = static_cast<pthread_mutex_t*>(p);
    return Status::Ok();
  }

  Status Lock(int fd) {
    switch (lock_) {
      case LockKind::kFlock:
        if (RetryOnEintr([&] { return ::flock(fd, LOCK_EX); }) != 0)
          return ErrnoStatus("flock " + path_, errno);
        return Status::Ok();
      case LockKind::kFcntl: {
        struct flock fl {};
        fl.l_type = F_WRLCK;
        fl.l_whence = SEEK_SET;  // l_start 0, l_len 0: the whole file, however long
        if (RetryOnEintr([&] { return ::fcntl(fd, F_SETLKW, &fl); }) != 0)
          return ErrnoStatus("fcntl F_SETLKW " + path_, errno);
        return Status::Ok();
      }
      case LockKind::kProcessMutex:
      case LockKind::kRobustMutex: {
        const int rc = pthread_mutex_lock(mutex_);
        if (rc == EOWNERDEAD) {
          // Its holder died holding it: what it protected may be half done
          // (a torn record at the end of the file). The fix takes it anyway.
          pthread_mutex_consistent(mutex_);
          return Status::Ok();
        }
        if (rc != 0) return ErrnoStatus("pthread_mutex_lock", rc);
        return Status::Ok();
      }
    }
    return Status::Ok();
  }

  void Unlock(int fd) {
    switch (lock_) {
      case LockKind::kFlock:
        ::flock(fd, LOCK_UN);
        break;
      case LockKind::kFcntl: {
        struct flock fl {};
        fl.l_type = F_UNLCK;
        fl.l_whence = SEEK_SET;
        ::fcntl(fd, F_SETLK, &fl);
        break;
      }
      case LockKind::kProcessMutex:
      case LockKind::kRobustMutex:
        pthread_mutex_unlock(mutex_);
        break;
    }
  }

  LockKind lock_ = LockKind::kFlock;
  std::string path_;
  UniqueFd inherited_;
  int file_slot_ = -1;
  UniqueFd mutex_fd_;
  int mutex_slot_ = -1;
  pthread_mutex_t* mutex_ = nullptr;
};

}  // namespace

std::unique_ptr<Strategy> MakeLockedAppend() { return std::make_unique<LockedAppend>(); }

}  // namespace crashbench
