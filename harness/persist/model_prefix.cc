// prefix: a process crash, not a power loss. Every operation a process issued
// persists, because the kernel's page cache survives the death of the
// process: a crash state is exactly the log up to the cut, one state per
// event boundary. A pass over the cuts is "the whole tree killed at event k"
// for every k, without running anything again.
//
// Sources: the page cache outlives a killed process (man 2 write: data is in
// the kernel once write returns; man 2 fsync exists for the machine crashing,
// not the process); crashbench's own kill faults show it on every run.
#include <memory>

#include "harness/persist/model.h"

namespace crashbench {
namespace {

class PrefixModel final : public PersistenceModel {
 public:
  std::string_view name() const override { return "prefix"; }
  int tiers() const override { return 1; }

  void StatesAt(const CutFacts& facts, int tier, std::vector<CrashState>* out) const override {
    if (tier != 0) return;
    CrashState s;
    s.cut = facts.cut();
    s.label = "killed after the op before the cut: every issued op persisted";
    out->push_back(std::move(s));
  }

  std::string WhyLost(const CutFacts&, int) const override {
    return "never: a process crash keeps the page cache";
  }
};

}  // namespace

Result<std::unique_ptr<PersistenceModel>> MakePrefixModel(const ModelOptions& options) {
  RETURN_IF_ERROR(CheckModelOptions("prefix", options, {}));
  return std::unique_ptr<PersistenceModel>(std::make_unique<PrefixModel>());
}

}  // namespace crashbench
