// posix-weak: what a strict reading of POSIX allows. Only what an fsync (or
// fdatasync) ordered is guaranteed:
// - a write or truncate persists for sure only when an fsync or fdatasync of
//   its file followed it before the crash; otherwise it may be lost, or
//   persist in part (at page granularity), and the file's size may persist
//   ahead of its data (zeros where data was appended), or over blocks that
//   held something else (garbage);
// - a new directory entry (create, rename, link, unlink, mkdir) is
//   guaranteed only after an fsync of its directory; before that each may
//   persist or not, independently of the others.
// Findings under this model are labelled as what POSIX allows, not as what a
// given file system does.
//
// Sources: POSIX fsync() ("all data for the open file descriptor ... is to be
// transferred to the storage device"; nothing about the directory), man 2
// fsync ("Calling fsync() does not necessarily ensure that the entry in the
// directory containing the file has also reached disk. For that an explicit
// fsync() on a file descriptor for the directory is also needed."); ALICE
// (Pillai et al., OSDI 2014, github.com/madthanu/alice alicedefaultfs.py): its
// default abstract persistence model splits appends into zero-fill, garbage
// and data micro-operations and lets unsynced operations persist out of
// order, which is where the zero and garbage states below come from.
//
// Tiers: 0 the most and the least durable state; 1 each unsynced directory
// operation alone present (on the least durable state) and alone missing (on
// the most durable); 2 every prefix length of each file's unsynced writes, at
// write and page boundaries; 3 the last unsynced write of each file as zeros
// and as garbage.
#include <memory>

#include "harness/persist/model.h"
#include "harness/persist/model_util.h"

namespace crashbench {
namespace {

class PosixWeakModel final : public PersistenceModel {
 public:
  std::string_view name() const override { return "posix-weak"; }
  int tiers() const override { return 4; }

  void StatesAt(const CutFacts& facts, int tier, std::vector<CrashState>* out) const override {
    const int cut = facts.cut();
    const std::vector<int>& data = facts.unsynced_data();
    const std::vector<int>& dir = facts.unsynced_dir();
    auto push = [&](std::vector<int> dropped, std::string label) {
      CrashState s;
      s.cut = cut;
      s.dropped = std::move(dropped);
      s.label = std::move(label);
      out->push_back(std::move(s));
      return &out->back();
    };
    if (tier == 0) {
      push({}, "most durable: every issued op persisted");
      if (!data.empty() || !dir.empty())
        push(SortedUnion(data, dir), "least durable: only what fsync ordered persisted");
    } else if (tier == 1) {
      const std::vector<int> all = SortedUnion(data, dir);
      for (int d : dir) {
        push(SortedMinus(all, {d}), "least durable but " + DescribeOp(facts.log(), d));
        push({d}, "most durable but " + DescribeOp(facts.log(), d));
      }
    } else if (tier == 2) {
      for (const auto& [file, ops] : GroupByFile(facts.log(), data)) {
        for (PrefixChoice& c : PrefixChoices(facts.log(), ops)) {
          CrashState* s = push(std::move(c.dropped), "a prefix of the unsynced data persisted");
          if (c.partial) s->partial.push_back(*c.partial);
        }
      }
    } else if (tier == 3) {
      for (const auto& [file, ops] : GroupByFile(facts.log(), data)) {
        const int last = ops.back();
        if (facts.log().ops[static_cast<size_t>(last)].kind != OpKind::kWrite) continue;
        push({}, "the size of the last write persisted, not its data: zeros")
            ->partial.push_back(PartialWrite{last, PartialWrite::kZeros, 0});
        push({}, "the size of the last write persisted over old blocks: garbage")
            ->partial.push_back(PartialWrite{last, PartialWrite::kGarbage, 0});
      }
    }
  }

  std::string WhyLost(const CutFacts& facts, int index) const override {
    return PosixWhyLost(facts.log().ops[static_cast<size_t>(index)]);
  }
};

}  // namespace

Result<std::unique_ptr<PersistenceModel>> MakePosixWeakModel(const ModelOptions& options) {
  RETURN_IF_ERROR(CheckModelOptions("posix-weak", options, {}));
  return std::unique_ptr<PersistenceModel>(std::make_unique<PosixWeakModel>());
}

}  // namespace crashbench
