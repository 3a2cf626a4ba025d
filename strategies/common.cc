#include "strategies/common.h"

#include <stdio_ext.h>
#include <unistd.h>

#include "harness/base/sys.h"
#include "harness/inject/injected_errors.h"

namespace crashbench {
namespace {
// The failing system call the worker offers faults (FaultNeed::kFailingSyscall).
int InjectedErrorForThisCall() { return InjectedErrors::OfThisProcess().TakeForNextCall(); }
}  // namespace

Status WriteRecordInHalves(WorkerContext& ctx, std::string_view text,
                           const std::function<Status(const char*, size_t)>& write_bytes) {
  const size_t half = text.size() / 2;
  ctx.Point(FaultPoint::kBeforeWrite);
  {
    // One timer for the record (the point between the halves is an atomic
    // increment when no fault is armed): timing costs two clock reads a record.
    StageTimer t(ctx.clock(), Stage::kWrite);
    RETURN_IF_ERROR(write_bytes(text.data(), half));
    ctx.Point(FaultPoint::kMidRecord);
    RETURN_IF_ERROR(write_bytes(text.data() + half, text.size() - half));
  }
  ctx.Point(FaultPoint::kAfterWrite);
  ctx.RecordWritten();
  return Status::Ok();
}

Status WriteRecordWhole(WorkerContext& ctx, std::string_view text,
                        const std::function<Status(const char*, size_t)>& write_bytes) {
  ctx.Point(FaultPoint::kBeforeWrite);
  {
    StageTimer t(ctx.clock(), Stage::kWrite);
    RETURN_IF_ERROR(write_bytes(text.data(), text.size()));
  }
  ctx.Point(FaultPoint::kAfterWrite);
  ctx.RecordWritten();
  return Status::Ok();
}

Status StdioWrite(FILE* f, const char* p, size_t n, const std::string& what) {
  if (int err = InjectedErrorForThisCall()) return ErrnoStatus("fwrite " + what, err);
  if (n > 0 && std::fwrite(p, 1, n, f) != n) return ErrnoStatus("fwrite " + what, errno);
  return Status::Ok();
}

Status FileWrite(int fd, const char* p, size_t n, const std::string& what) {
  if (int err = InjectedErrorForThisCall()) return ErrnoStatus("write " + what, err);
  return WriteFull(fd, p, n).Annotate(what);
}

Status FlushAndSync(WorkerContext& ctx, FILE* f, const std::string& what) {
  {
    StageTimer t(ctx.clock(), Stage::kWrite);
    if (std::fflush(f) != 0) return ErrnoStatus("fflush " + what, errno);
  }
  return SyncFd(ctx, fileno(f), what);
}

Status SyncFd(WorkerContext& ctx, int fd, const std::string& what) {
  ctx.Point(FaultPoint::kBeforeFsync);
  StageTimer t(ctx.clock(), Stage::kFsync);
  if (int err = InjectedErrorForThisCall()) return ErrnoStatus("fsync " + what, err);
  return FsyncNoInt(fd, what);
}

Status CloseStdio(FILE* f, const std::string& what) {
  if (InjectedErrors::OfThisProcess().PersistentInForce()) {
    // The final flush would fail too: glibc then drops what was buffered.
    __fpurge(f);
    std::fclose(f);
    return ErrnoStatus("fclose " + what, InjectedErrorForThisCall());
  }
  if (std::fclose(f) != 0) return ErrnoStatus("fclose " + what, errno);
  return Status::Ok();
}

}  // namespace crashbench
