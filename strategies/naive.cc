// naive: each task opens the one output file for append through buffered
// stdio, writes its records, closes. No lock, no fsync (unless asked).
//
// Models: `with open("out.jsonl", "a") as f: f.write(line)` in every worker.
// stdio flushes whenever its buffer fills (4 KiB here), cutting records at
// arbitrary bytes, so concurrent tasks interleave and a kill leaves a torn line.
//
// open=truncate models the other usual line, `open("out.jsonl", "w")`: every
// task starts the file again from empty. What earlier tasks wrote is gone,
// and a worker still writing at its old offset leaves a hole of NUL bytes
// before its next write.
#include <cstdio>
#include <memory>

#include "strategies/common.h"
#include "strategies/strategy.h"

namespace crashbench {
namespace {

class Naive final : public Strategy {
 public:
  Status RunTask(WorkerContext& ctx, long long task) override {
    const StrategyConfig& c = ctx.config();
    const std::string path = c.dir + "/records.jsonl";
    FILE* f = std::fopen(path.c_str(), c.option("open") == "truncate" ? "we" : "ae");
    if (!f) return ErrnoStatus("fopen " + path, errno);
    const bool sync_record = c.fsync() == FsyncMode::kRecord;
    Status s;
    auto write = [&](const char* p, size_t n) { return StdioWrite(f, p, n, path); };
    for (long long seq = 0; seq < c.records_per_task && s.ok(); ++seq) {
      s = WriteRecordInHalves(ctx, ctx.RecordText(task, seq, true), write);
      if (s.ok() && sync_record) s = FlushAndSync(ctx, f, path);
    }
    if (s.ok() && c.fsync() == FsyncMode::kTask) s = FlushAndSync(ctx, f, path);
    Status closed;
    {
      StageTimer t(ctx.clock(), Stage::kWrite);  // fclose flushes what is buffered
      closed = CloseStdio(f, path);
    }
    return s.ok() ? closed : s;
  }
};

}  // namespace

std::unique_ptr<Strategy> MakeNaive() { return std::make_unique<Naive>(); }

}  // namespace crashbench
