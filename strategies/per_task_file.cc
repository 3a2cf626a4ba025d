// per-task-file: each task writes its own final file, task-<T>.json, directly.
//
// Models: `with open(f"out/task-{t}.json", "w") as f: json.dump(doc, f)`.
// The file exists at its final name from the first byte, so a worker killed
// mid-task leaves an empty or cut-short document where a reader, or a "skip if
// it already exists" restart, takes it for finished output.
#include <cstdio>
#include <memory>

#include "harness/contract/layout.h"
#include "strategies/common.h"
#include "strategies/strategy.h"

namespace crashbench {

// Writes the per-task document for `task` into f, record by record, with the
// fault points of WriteRecordInHalves. Shared with atomic-rename, which writes
// the same document into its temp file.
Status WritePerTaskDocument(WorkerContext& ctx, long long task, FILE* f, const std::string& path) {
  const StrategyConfig& c = ctx.config();
  auto write = [&](const char* p, size_t n) { return StdioWrite(f, p, n, path); };
  const std::string head = "{\"task\":" + std::to_string(task) +
                           ",\"count\":" + std::to_string(c.records_per_task) + ",\"records\":[";
  RETURN_IF_ERROR(write(head.data(), head.size()));
  for (long long seq = 0; seq < c.records_per_task; ++seq) {
    if (seq > 0) RETURN_IF_ERROR(write(",", 1));
    RETURN_IF_ERROR(WriteRecordInHalves(ctx, ctx.RecordText(task, seq, false), write));
    if (c.fsync() == FsyncMode::kRecord) RETURN_IF_ERROR(FlushAndSync(ctx, f, path));
  }
  return write("]}\n", 3);
}

namespace {

class PerTaskFile final : public Strategy {
 public:
  Status RunTask(WorkerContext& ctx, long long task) override {
    const std::string path = ctx.config().dir + "/" + PerTaskFileName(task);
    FILE* f = std::fopen(path.c_str(), "we");
    if (!f) return ErrnoStatus("fopen " + path, errno);
    Status s = WritePerTaskDocument(ctx, task, f, path);
    if (s.ok() && ctx.config().fsync() == FsyncMode::kTask) s = FlushAndSync(ctx, f, path);
    Status closed;
    {
      StageTimer t(ctx.clock(), Stage::kWrite);
      closed = CloseStdio(f, path);
    }
    return s.ok() ? closed : s;
  }
};

}  // namespace

std::unique_ptr<Strategy> MakePerTaskFile() { return std::make_unique<PerTaskFile>(); }

}  // namespace crashbench
