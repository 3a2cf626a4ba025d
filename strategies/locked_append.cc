// locked-append: each task takes an exclusive lock on the shared file, appends
// its records with write(2) (flushed as it goes), and unlocks.
//
// Models: `with lock: f.write(line); f.flush()` per task, with flock(2) as the
// lock, where a record reaches the kernel in two write(2) calls (a buffered
// writer flushing a record that straddles its buffer; a large write(2) can
// also stop part-way when a fatal signal arrives between pages).
// The lock keeps live writers from interleaving, and the kernel drops a flock
// when its holder dies, so nobody waits forever. But a holder killed between
// the two halves of a record leaves a torn line, and the next holder appends
// after it: a torn record followed by valid ones.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <memory>

#include "harness/sys.h"
#include "strategies/common.h"
#include "strategies/strategy.h"

namespace crashbench {
namespace {

class LockedAppend final : public Strategy {
 public:
  Status RunTask(WorkerContext& ctx, long long task) override {
    const StrategyConfig& c = ctx.config();
    const std::string path = c.dir + "/records.jsonl";
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644));
    if (!fd.valid()) return ErrnoStatus("open " + path, errno);
    {
      StageTimer t(ctx.clock(), Stage::kLockWait);
      if (RetryOnEintr([&] { return ::flock(fd.get(), LOCK_EX); }) != 0)
        return ErrnoStatus("flock " + path, errno);
    }
    auto write = [&](const char* p, size_t n) { return FileWrite(fd.get(), p, n, path); };
    Status s;
    for (long long seq = 0; seq < c.records_per_task && s.ok(); ++seq) {
      s = WriteRecordInHalves(ctx, ctx.RecordText(task, seq, true), write);
      if (s.ok() && c.fsync() == FsyncMode::kRecord) s = SyncFd(ctx, fd.get(), path);
    }
    if (s.ok() && c.fsync() == FsyncMode::kTask) s = SyncFd(ctx, fd.get(), path);
    ::flock(fd.get(), LOCK_UN);
    return s;
  }
};

}  // namespace

std::unique_ptr<Strategy> MakeLockedAppend() { return std::make_unique<LockedAppend>(); }

}  // namespace crashbench
