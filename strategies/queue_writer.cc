// queue-writer: workers send serialized records over one pipe to a single
// writer process that owns the output file.
//
// Models: workers writing serialized records straight into one shared pipe
// (os.write(pipe_fd, frame)), one process `for line in pipe: f.write(line)`.
// By default a task counts as committed once its records are in the pipe: the
// worker does not wait for the writer (ack=on-write below waits). Python's
// multiprocessing.Queue adds a lock around each send; this strategy has none.
// Only one process touches the file, so live writers never interleave; but
// records in the pipe or in the writer's stdio buffer are lost if the writer
// dies, though their tasks were acknowledged.
//
// Frames are a 4-byte little-endian length and the record line, sent with one
// write(2): atomic for frames up to PIPE_BUF (4096 bytes), so larger records
// from several workers can interleave inside the pipe, as with any lockless pipe.
// A larger frame is still one write(2), which the kernel keeps whole while the
// pipe has room; when it is full the producer sleeps inside write(2) with part
// of its frame already in the pipe. The mid-record point (frames over PIPE_BUF
// only) is that moment: a producer killed there leaves half a frame in the
// pipe, and the writer reads the next frame's bytes as the rest of this one: a
// corrupt line, then a length that is not one.
//
//   drain=concurrent (default)  the writer reads the pipe while workers write
//                               to it: the fix, "drain before join".
//   drain=after-join            the join deadlock. The writer (the parent that
//                               collects results) first joins the workers: it
//                               waits until every task's records have been
//                               sent (a counter of finished tasks in shared
//                               memory reaches StrategyConfig::tasks, or every
//                               worker has closed the pipe), and only then
//                               reads. Output that fits the pipe (64 KiB by
//                               default) passes: fine in testing. Larger output
//                               fills the pipe, the workers sleep in write(2)
//                               and never finish their tasks, the writer waits
//                               for them forever: a `hang`, which the
//                               supervisor's deadline diagnoses.
//
//   ack=on-send (default)       a task is acknowledged once its frames are in
//                               the pipe: a dead writer takes acknowledged
//                               records with it (in the pipe, in its buffer).
//   ack=on-write                the fix: the writer flushes a task's last
//                               record to the kernel and only then marks the
//                               task written (shared memory); the worker
//                               waits for that mark before acknowledging, and
//                               fails the task if the writer is gone first.
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>

#include "harness/base/sys.h"
#include "strategies/common.h"
#include "strategies/strategy.h"

namespace crashbench {
namespace {

constexpr uint32_t kMaxFrame = 64u << 20;

// Reads "task", "seq" and "of" from the front of a record line.
bool ScanHeader(std::string_view line, long long* task, long long* seq, long long* of) {
  auto field = [&](std::string_view key, long long* out) {
    size_t p = line.find(key);
    if (p == std::string_view::npos) return false;
    const char* b = line.data() + p + key.size();
    return std::from_chars(b, line.data() + line.size(), *out).ec == std::errc();
  };
  return field("\"task\":", task) && field("\"seq\":", seq) && field("\"of\":", of);
}

// Shared memory of the writer and the workers, when an option needs it: a
// count of finished tasks (drain=after-join), then one 32-bit mark per task
// that the writer sets once it has written the task (ack=on-write), a futex
// the waiting worker sleeps on. Marks are indexed by task id, which
// StrategyConfig::tasks bounds here: only a restart skips tasks, and restarts
// need a per-task layout.
struct Shared {
  char* base = nullptr;
  static size_t Bytes(long long tasks) { return 8 + 4 * static_cast<size_t>(std::max(0LL, tasks)); }
  std::atomic<long long>& finished() const {
    return *reinterpret_cast<std::atomic<long long>*>(base);
  }
  std::atomic<int32_t>& written(long long task) const {
    return *reinterpret_cast<std::atomic<int32_t>*>(base + 8 + 4 * task);
  }
};
static_assert(sizeof(std::atomic<int32_t>) == 4 && sizeof(std::atomic<long long>) == 8);

long Futex(std::atomic<int32_t>* word, int op, int32_t value, const struct timespec* timeout) {
  // Not FUTEX_PRIVATE: the word is shared between processes.
  return ::syscall(SYS_futex, reinterpret_cast<int32_t*>(word), op, value, timeout, nullptr, 0);
}

// The join of drain=after-join: returns once every task has sent all its
// records (finished reaches the task count) or every worker has closed its end
// of the pipe (nothing more can come: dead workers' tasks never finish). It
// reads nothing meanwhile, which is the bug.
void JoinWorkers(const std::atomic<long long>& finished, long long tasks, int in_fd) {
  while (finished.load(std::memory_order_acquire) < tasks) {
    // events 0: only POLLHUP (no writer left) is reported.
    struct pollfd p = {};
    p.fd = in_fd;
    if (::poll(&p, 1, 0) > 0 && (p.revents & POLLHUP)) return;
    struct timespec pause = {};
    pause.tv_nsec = 1000 * 1000;  // 1 ms
    ::nanosleep(&pause, nullptr);
  }
}

int WriterMain(WorkerContext& ctx, int in_fd, Shared shared) {
  const StrategyConfig& c = ctx.config();
  const bool ack_on_write = c.option("ack") == "on-write";
  if (c.option("drain") == "after-join") JoinWorkers(shared.finished(), c.tasks, in_fd);
  const std::string path = c.dir + "/records.jsonl";
  FILE* f = std::fopen(path.c_str(), "ae");
  if (!f) return 10;
  std::string line;
  auto write = [&](const char* p, size_t n) { return StdioWrite(f, p, n, path); };
  for (;;) {
    unsigned char len_bytes[4];
    size_t got = 0;
    Status s = ReadFull(in_fd, len_bytes, 4, &got);
    if (!s.ok() && got == 0 && s.err() == 0) break;  // clean end of stream
    if (!s.ok()) return 11;                          // a cut-short length: stream broken
    uint32_t len = len_bytes[0] | (len_bytes[1] << 8) | (len_bytes[2] << 16) |
                   (static_cast<uint32_t>(len_bytes[3]) << 24);
    if (len > kMaxFrame) return 12;  // garbage where a length should be
    line.resize(len);
    if (!ReadFull(in_fd, line.data(), len).ok()) return 13;  // a partial frame
    if (!WriteRecordInHalves(ctx, line, write).ok()) return 14;
    long long task = -1, seq = 0, of = 0;
    const bool task_done = ScanHeader(line, &task, &seq, &of) && seq == of - 1;
    if ((c.fsync() == FsyncMode::kRecord || (c.fsync() == FsyncMode::kTask && task_done)) &&
        !FlushAndSync(ctx, f, path).ok())
      return 15;
    if (ack_on_write && task_done && task >= 0 && task < c.tasks) {
      // In the kernel (page cache) before the task is confirmed: a death of
      // this process from now on cannot take it away.
      if (std::fflush(f) != 0) return 15;
      shared.written(task).store(1, std::memory_order_release);
      Futex(&shared.written(task), FUTEX_WAKE, INT32_MAX, nullptr);
    }
  }
  return std::fclose(f) == 0 ? 0 : 16;
}

class QueueWriter final : public Strategy {
 public:
  ~QueueWriter() override {
    if (shared_.base) ::munmap(shared_.base, shared_bytes_);
  }

  Status SetUp(const StrategyConfig& config, PoolHost& host) override {
    UniqueFd read_end;
    RETURN_IF_ERROR(MakePipe(&read_end, &write_end_));
    if (config.pipe_bytes > 0 && ::fcntl(write_end_.get(), F_SETPIPE_SZ, config.pipe_bytes) < 0)
      return ErrnoStatus("F_SETPIPE_SZ", errno);
    slot_ = host.ShareWithWorkers(write_end_.get());
    if (NeedsShared(config)) {
      // A shared memory file: the writer and forked workers inherit the
      // mapping, spawned workers map the descriptor (slot 1, after the pipe's).
      // memfd pages start zeroed: every counter and mark starts at 0.
      shared_fd_ = UniqueFd(::memfd_create("crashbench-queue", MFD_CLOEXEC));
      if (!shared_fd_.valid()) return ErrnoStatus("memfd_create", errno);
      if (::ftruncate(shared_fd_.get(), static_cast<off_t>(Shared::Bytes(config.tasks))) != 0)
        return ErrnoStatus("ftruncate", errno);
      RETURN_IF_ERROR(MapShared(config, shared_fd_.get()));
      if (host.ShareWithWorkers(shared_fd_.get()) != kSharedSlot)
        return Status::Error("slot order");
    }
    const int in_fd = read_end.get();
    const Shared shared = shared_;
    RETURN_IF_ERROR(host.StartWriter(
        {in_fd}, [in_fd, shared](WorkerContext& ctx) { return WriterMain(ctx, in_fd, shared); }));
    // read_end closes here: only the writer reads, so its death means EPIPE.
    return Status::Ok();
  }

  // Workers hold their own copies; the writer sees end-of-stream when the last
  // worker exits.
  void WorkersStarted() override { write_end_.Reset(); }

  Status WorkerStart(WorkerContext& ctx) override {
    // A spawned worker starts from a fresh object: it maps the memory itself.
    if (!shared_.base && NeedsShared(ctx.config()))
      return MapShared(ctx.config(), ctx.SharedFd(kSharedSlot));
    return Status::Ok();
  }

  Status RunTask(WorkerContext& ctx, long long task) override {
    const StrategyConfig& c = ctx.config();
    const int out = ctx.SharedFd(slot_);
    for (long long seq = 0; seq < c.records_per_task; ++seq) {
      const std::string& line = ctx.RecordText(task, seq, true);
      frame_.resize(4 + line.size());
      const uint32_t len = static_cast<uint32_t>(line.size());
      for (int i = 0; i < 4; ++i)
        frame_[static_cast<size_t>(i)] = static_cast<char>(len >> (8 * i));
      std::memcpy(frame_.data() + 4, line.data(), line.size());
      ctx.Point(FaultPoint::kBeforeWrite);
      if (frame_.size() > PIPE_BUF && ctx.PointDeferringSelf(FaultPoint::kMidRecord)) {
        (void)WriteFull(out, frame_.data(), frame_.size() / 2);
        ctx.FireNow();
      }
      {
        StageTimer t(ctx.clock(), Stage::kIpc);
        RETURN_IF_ERROR(WriteFull(out, frame_.data(), frame_.size()).Annotate("queue pipe"));
      }
      ctx.Point(FaultPoint::kAfterWrite);
      ctx.RecordWritten();
    }
    // Every record of the task is in the pipe: the join may count it.
    if (shared_.base) shared_.finished().fetch_add(1, std::memory_order_release);
    if (c.option("ack") == "on-write" && task < c.tasks) {
      // Sleep until the writer's mark; a writer that is gone (no reader left:
      // POLLERR on our end of the pipe) will never set it.
      StageTimer t(ctx.clock(), Stage::kIpc);
      std::atomic<int32_t>& mark = shared_.written(task);
      while (mark.load(std::memory_order_acquire) == 0) {
        const struct timespec wait = {0, 5 * 1000 * 1000};
        Futex(&mark, FUTEX_WAIT, 0, &wait);
        struct pollfd p = {};
        p.fd = out;
        if (mark.load(std::memory_order_acquire) == 0 && ::poll(&p, 1, 0) > 0 &&
            (p.revents & POLLERR))
          return Status::Error("the writer is gone before it wrote task " + std::to_string(task));
      }
    }
    return Status::Ok();
  }

 private:
  static constexpr int kSharedSlot = 1;

  static bool NeedsShared(const StrategyConfig& c) {
    return c.option("drain") == "after-join" || c.option("ack") == "on-write";
  }
  Status MapShared(const StrategyConfig& c, int fd) {
    shared_bytes_ = Shared::Bytes(c.tasks);
    void* p = ::mmap(nullptr, shared_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) return ErrnoStatus("mmap queue-writer shared memory", errno);
    shared_.base = static_cast<char*>(p);
    return Status::Ok();
  }

  UniqueFd write_end_;
  UniqueFd shared_fd_;
  Shared shared_;
  size_t shared_bytes_ = 0;
  int slot_ = 0;
  std::string frame_;
};

}  // namespace

std::unique_ptr<Strategy> MakeQueueWriter() { return std::make_unique<QueueWriter>(); }

}  // namespace crashbench
