// queue-writer: workers send serialized records over one pipe to a single
// writer process that owns the output file.
//
// Models: workers writing serialized records straight into one shared pipe
// (os.write(pipe_fd, frame)), one process `for line in pipe: f.write(line)`.
// A task counts as committed once its records are in the pipe: the worker
// does not wait for the writer. Python's multiprocessing.Queue adds a lock
// around each send; this strategy has none (a locked variant belongs with
// the strategy options of the fault-catalogue issue). Only one process touches the file, so
// live writers never interleave; but records in the pipe or in the writer's
// stdio buffer are lost if the writer dies, though their tasks were acknowledged.
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
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>

#include "harness/sys.h"
#include "strategies/common.h"
#include "strategies/strategy.h"

namespace crashbench {
namespace {

constexpr uint32_t kMaxFrame = 64u << 20;

// Reads "task" and "seq" and "of" from the front of a record line.
bool ScanHeader(std::string_view line, long long* seq, long long* of) {
  auto field = [&](std::string_view key, long long* out) {
    size_t p = line.find(key);
    if (p == std::string_view::npos) return false;
    const char* b = line.data() + p + key.size();
    return std::from_chars(b, line.data() + line.size(), *out).ec == std::errc();
  };
  return field("\"seq\":", seq) && field("\"of\":", of);
}

// The join of drain=after-join: returns once every task has sent all its
// records (finished reaches the task count) or every worker has closed its end
// of the pipe (nothing more can come: dead workers' tasks never finish). It
// reads nothing meanwhile, which is the bug.
void JoinWorkers(const std::atomic<long long>* finished, long long tasks, int in_fd) {
  while (finished->load(std::memory_order_acquire) < tasks) {
    // events 0: only POLLHUP (no writer left) is reported.
    struct pollfd p = {};
    p.fd = in_fd;
    if (::poll(&p, 1, 0) > 0 && (p.revents & POLLHUP)) return;
    struct timespec pause = {};
    pause.tv_nsec = 1000 * 1000;  // 1 ms
    ::nanosleep(&pause, nullptr);
  }
}

int WriterMain(WorkerContext& ctx, int in_fd, const std::atomic<long long>* finished) {
  const StrategyConfig& c = ctx.config();
  if (finished) JoinWorkers(finished, c.tasks, in_fd);
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
    if (!s.ok()) return 11;                             // a cut-short length: stream broken
    uint32_t len = len_bytes[0] | (len_bytes[1] << 8) | (len_bytes[2] << 16) |
                   (static_cast<uint32_t>(len_bytes[3]) << 24);
    if (len > kMaxFrame) return 12;  // garbage where a length should be
    line.resize(len);
    if (!ReadFull(in_fd, line.data(), len).ok()) return 13;  // a partial frame
    if (!WriteRecordInHalves(ctx, line, write).ok()) return 14;
    long long seq = 0, of = 0;
    const bool task_done = ScanHeader(line, &seq, &of) && seq == of - 1;
    if ((c.fsync() == FsyncMode::kRecord || (c.fsync() == FsyncMode::kTask && task_done)) &&
        !FlushAndSync(ctx, f, path).ok())
      return 15;
  }
  return std::fclose(f) == 0 ? 0 : 16;
}

class QueueWriter final : public Strategy {
 public:
  ~QueueWriter() override {
    if (finished_) ::munmap(finished_, sizeof(std::atomic<long long>));
  }

  Status SetUp(const StrategyConfig& config, PoolHost& host) override {
    UniqueFd read_end;
    RETURN_IF_ERROR(MakePipe(&read_end, &write_end_));
    if (config.pipe_bytes > 0 && ::fcntl(write_end_.get(), F_SETPIPE_SZ, config.pipe_bytes) < 0)
      return ErrnoStatus("F_SETPIPE_SZ", errno);
    slot_ = host.ShareWithWorkers(write_end_.get());
    if (config.option("drain") == "after-join") {
      // The finished-task counter lives in a shared memory file: the writer
      // and forked workers inherit the mapping, spawned workers map the
      // descriptor (slot 1, after the pipe's).
      counter_fd_ = UniqueFd(::memfd_create("crashbench-join", MFD_CLOEXEC));
      if (!counter_fd_.valid()) return ErrnoStatus("memfd_create", errno);
      if (::ftruncate(counter_fd_.get(), sizeof(std::atomic<long long>)) != 0)
        return ErrnoStatus("ftruncate", errno);
      RETURN_IF_ERROR(MapCounter(counter_fd_.get()));
      new (finished_) std::atomic<long long>(0);
      if (host.ShareWithWorkers(counter_fd_.get()) != kCounterSlot)
        return Status::Error("slot order");
    }
    const int in_fd = read_end.get();
    const std::atomic<long long>* finished = finished_;
    RETURN_IF_ERROR(host.StartWriter({in_fd}, [in_fd, finished](WorkerContext& ctx) {
      return WriterMain(ctx, in_fd, finished);
    }));
    // read_end closes here: only the writer reads, so its death means EPIPE.
    return Status::Ok();
  }

  // Workers hold their own copies; the writer sees end-of-stream when the last
  // worker exits.
  void WorkersStarted() override { write_end_.Reset(); }

  Status WorkerStart(WorkerContext& ctx) override {
    // A spawned worker starts from a fresh object: it maps the counter itself.
    if (!finished_ && ctx.config().option("drain") == "after-join")
      return MapCounter(ctx.SharedFd(kCounterSlot));
    return Status::Ok();
  }

  Status RunTask(WorkerContext& ctx, long long task) override {
    const StrategyConfig& c = ctx.config();
    const int out = ctx.SharedFd(slot_);
    for (long long seq = 0; seq < c.records_per_task; ++seq) {
      const std::string& line = ctx.RecordText(task, seq, true);
      frame_.resize(4 + line.size());
      const uint32_t len = static_cast<uint32_t>(line.size());
      for (int i = 0; i < 4; ++i) frame_[static_cast<size_t>(i)] = static_cast<char>(len >> (8 * i));
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
    if (finished_) finished_->fetch_add(1, std::memory_order_release);
    return Status::Ok();
  }

 private:
  static constexpr int kCounterSlot = 1;

  Status MapCounter(int fd) {
    void* p = ::mmap(nullptr, sizeof(std::atomic<long long>), PROT_READ | PROT_WRITE, MAP_SHARED,
                     fd, 0);
    if (p == MAP_FAILED) return ErrnoStatus("mmap join counter", errno);
    finished_ = static_cast<std::atomic<long long>*>(p);
    return Status::Ok();
  }

  UniqueFd write_end_;
  UniqueFd counter_fd_;
  std::atomic<long long>* finished_ = nullptr;  // drain=after-join only
  int slot_ = 0;
  std::string frame_;
};

}  // namespace

std::unique_ptr<Strategy> MakeQueueWriter() { return std::make_unique<QueueWriter>(); }

}  // namespace crashbench
