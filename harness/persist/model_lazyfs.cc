// lazyfs: directory operations persist at once, file data only when it was
// synced; the cheapest model that shows what fsync is for. One state per cut.
//
// Sources:
// - LazyFS (github.com/dsrhaslab/lazyfs, lazyfs/src/lazyfs.cpp): a FUSE file
//   system whose create, open, rename, link, unlink and mkdir call the
//   underlying file system directly (they persist at once), while lfs_write
//   keeps data in its own page cache until lfs_fsync syncs that file's pages
//   (sync_owner); the "clear-cache" fault drops whatever was not synced. A
//   truncate by O_TRUNC reaches the underlying file through lfs_open's
//   open(path, flags); this model lets every truncate persist at once.
// - LevelDB's FaultInjectionTestEnv (db/fault_injection_test.cc) drops the
//   data written since each file's last Sync in the same way.
// sync_file_range promises nothing (man 2 sync_file_range: it writes no
// metadata and is "extremely dangerous"): it syncs nothing here.
#include <memory>

#include "harness/persist/model.h"
#include "harness/persist/model_util.h"

namespace crashbench {
namespace {

class LazyfsModel final : public PersistenceModel {
 public:
  std::string_view name() const override { return "lazyfs"; }
  int tiers() const override { return 1; }

  void StatesAt(const CutFacts& facts, int tier, std::vector<CrashState>* out) const override {
    if (tier != 0) return;
    CrashState s;
    s.cut = facts.cut();
    for (int i : facts.unsynced_data())
      if (facts.log().ops[static_cast<size_t>(i)].kind == OpKind::kWrite) s.dropped.push_back(i);
    s.label = "the cache cleared: unsynced data dropped, names kept";
    out->push_back(std::move(s));
  }

  std::string WhyLost(const CutFacts& facts, int index) const override {
    return PosixWhyLost(facts.log().ops[static_cast<size_t>(index)]);
  }
};

}  // namespace

Result<std::unique_ptr<PersistenceModel>> MakeLazyfsModel(const ModelOptions& options) {
  RETURN_IF_ERROR(CheckModelOptions("lazyfs", options, {}));
  return std::unique_ptr<PersistenceModel>(std::make_unique<LazyfsModel>());
}

}  // namespace crashbench
