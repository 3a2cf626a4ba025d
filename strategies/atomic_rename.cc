// atomic-rename: each task writes a temp file in the output directory,
// flushes, fsyncs, renames it over its final name, then fsyncs the directory
// (option dirsync: auto, the default, when fsync is not none; on; off).
//
// Models: the write-temp-then-rename recipe (folly::writeFileAtomic, Python's
// tempfile + os.replace). The final name appears only with complete contents,
// so no crash leaves a partial file where a reader looks; a killed task leaves
// its temp file behind (orphan-temp). With fsync=none the rename still protects
// against process crashes, but not against power loss.
#include <stdio.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "harness/base/sys.h"
#include "harness/contract/layout.h"
#include "strategies/common.h"
#include "strategies/strategy.h"

namespace crashbench {

Status WritePerTaskDocument(WorkerContext& ctx, long long task, FILE* f, const std::string& path);

namespace {

class AtomicRename final : public Strategy {
 public:
  Status RunTask(WorkerContext& ctx, long long task) override {
    const StrategyConfig& c = ctx.config();
    const std::string final_path = c.dir + "/" + PerTaskFileName(task);
    // TEST-ONLY (commit=direct-write-UNSAFE-test-only): no temp file and no
    // rename, so a death leaves a partial final file; the gate's tests use it.
    const bool direct = c.options.count("commit") && c.options.at("commit") != "rename";
    const std::string temp_path =
        direct ? final_path : final_path + ".tmp." + std::to_string(::getpid());
    FILE* f = std::fopen(temp_path.c_str(), "we");
    if (!f) return ErrnoStatus("fopen " + temp_path, errno);
    Status s = WritePerTaskDocument(ctx, task, f, temp_path);
    // The data must be durable before the rename makes it visible: otherwise a
    // power loss can leave the new name pointing at an empty file.
    if (s.ok() && c.fsync() != FsyncMode::kNone) s = FlushAndSync(ctx, f, temp_path);
    Status closed;
    {
      StageTimer t(ctx.clock(), Stage::kWrite);
      closed = CloseStdio(f, temp_path);
    }
    if (s.ok()) s = closed;
    if (!s.ok()) {
      ::unlink(temp_path.c_str());  // a failed task leaves nothing behind
      return s;
    }
    ctx.Point(FaultPoint::kBeforeRename);
    {
      StageTimer t(ctx.clock(), Stage::kRename);
      if (!direct && std::rename(temp_path.c_str(), final_path.c_str()) != 0)
        return ErrnoStatus("rename " + temp_path, errno);
    }
    ctx.Point(FaultPoint::kAfterRename);
    // The rename itself is durable only once the directory is synced.
    // dirsync: "auto" (the default) ties it to fsync, as before the option
    // existed; "on" and "off" set it alone, so each missing fsync shows.
    const std::string dirsync = c.options.count("dirsync") ? c.options.at("dirsync") : "auto";
    if (dirsync == "on" || (dirsync == "auto" && c.fsync() != FsyncMode::kNone)) {
      ctx.Point(FaultPoint::kBeforeFsync);
      StageTimer t(ctx.clock(), Stage::kFsync);
      RETURN_IF_ERROR(FsyncDir(c.dir));
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Strategy> MakeAtomicRename() { return std::make_unique<AtomicRename>(); }

}  // namespace crashbench
