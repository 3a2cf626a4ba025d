// shared-handle: the parent opens the output once, before the workers start,
// and every worker writes through the handle it inherited.
//
// Models: a file object opened at module level and used from a fork()ed
// ProcessPoolExecutor worker. Each worker has its own copy of the stdio
// buffer: records sit there after the task is reported done and reach the
// file only when the buffer fills. A multiprocessing worker leaves through
// os._exit(), which flushes nothing but stdout and stderr, so whatever is
// still buffered when the pool shuts down is never written, with no fault at
// all: the "writes nothing" of DESIGN.md. With fsync=task the buffer is
// flushed and synced before the task is acknowledged.
//
// header=stdio models a parent that writes before it forks (a header line, a
// first chunk of output; here: all of task 0's records) through the same
// buffered stream, without flushing. fork() copies the process, unflushed
// buffer included: every worker holds a copy of those bytes and writes them
// out whenever its own buffer is flushed, and the parent writes its copy when
// it closes the stream. Task 0 appears once per process that flushed: the
// duplicates come with no fault at all. Its worker finds the task done (the
// parent wrote it) and acknowledges it. Under spawn the children start from a
// fresh stream and nothing is copied.
//
// In spawn mode the child re-executes and cannot inherit a FILE*: it wraps the
// inherited descriptor in a new stream (as a program passing fd numbers would).
//
// handle=fd models the raw descriptor instead (os.write(fd, line) on an fd the
// parent opened with O_APPEND): each record is one write(2), which the kernel
// does not split among appenders, and nothing is buffered, so nothing is lost
// at exit: the fix. (It has no mid-record point: nothing runs inside one
// write(2).)
#include <cstdio>
#include <memory>

#include "harness/contract/record.h"
#include "strategies/common.h"
#include "strategies/strategy.h"

namespace crashbench {
namespace {

class SharedHandle final : public Strategy {
 public:
  Status SetUp(const StrategyConfig& config, PoolHost& host) override {
    path_ = config.dir + "/records.jsonl";
    file_ = std::fopen(path_.c_str(), "ae");
    if (!file_) return ErrnoStatus("fopen " + path_, errno);
    slot_ = host.ShareWithWorkers(fileno(file_));
    if (config.option("header") == "stdio") return WriteHeaderUnflushed(config);
    return Status::Ok();
  }

  Status WorkerStart(WorkerContext& ctx) override {
    if (file_) return Status::Ok();  // fork: the parent's stream came with us
    path_ = ctx.config().dir + "/records.jsonl";
    file_ = fdopen(ctx.SharedFd(slot_), "a");
    if (!file_) return ErrnoStatus("fdopen inherited handle", errno);
    return Status::Ok();
  }

  Status RunTask(WorkerContext& ctx, long long task) override {
    const StrategyConfig& c = ctx.config();
    if (task == 0 && c.option("header") == "stdio") return Status::Ok();  // the parent wrote it
    const bool raw = c.option("handle") == "fd";
    const int fd = fileno(file_);
    auto write = [&](const char* p, size_t n) {
      return raw ? FileWrite(fd, p, n, path_) : StdioWrite(file_, p, n, path_);
    };
    auto sync = [&] { return raw ? SyncFd(ctx, fd, path_) : FlushAndSync(ctx, file_, path_); };
    for (long long seq = 0; seq < c.records_per_task; ++seq) {
      const std::string& text = ctx.RecordText(task, seq, true);
      RETURN_IF_ERROR(raw ? WriteRecordWhole(ctx, text, write)
                          : WriteRecordInHalves(ctx, text, write));
      if (c.fsync() == FsyncMode::kRecord) RETURN_IF_ERROR(sync());
    }
    if (c.fsync() == FsyncMode::kTask) RETURN_IF_ERROR(sync());
    return Status::Ok();
  }

  // No WorkerExit flush: the worker leaves as a multiprocessing worker does.

  Status TearDown() override {
    if (!file_) return Status::Ok();
    FILE* f = file_;
    file_ = nullptr;
    return CloseStdio(f, path_);
  }

 private:
  // Task 0's records into the parent's stream, left in its buffer (no flush).
  Status WriteHeaderUnflushed(const StrategyConfig& config) {
    std::string text;
    for (long long seq = 0; seq < config.records_per_task; ++seq) {
      EncodeGeneratedRecordTo(config.payload_seed, 0, seq, config.records_per_task,
                              static_cast<size_t>(config.record_bytes), &text);
      text += '\n';
      RETURN_IF_ERROR(StdioWrite(file_, text.data(), text.size(), path_));
    }
    return Status::Ok();
  }

  std::string path_;
  FILE* file_ = nullptr;
  int slot_ = 0;
};

}  // namespace

std::unique_ptr<Strategy> MakeSharedHandle() { return std::make_unique<SharedHandle>(); }

}  // namespace crashbench
