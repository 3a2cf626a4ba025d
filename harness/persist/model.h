// A persistence model: which states a crash of the whole machine (power loss,
// kernel panic) may leave, given the operations issued before it. Each model
// is one file (model_<name>.cc) citing where its rules come from, and one
// line in model_registry.cc.
//
//   Result<std::unique_ptr<PersistenceModel>> m = MakePersistenceModel("ext4-ordered", {});
//   CutFacts f(log);  f.Advance(); ...
//   std::vector<CrashState> states;
//   (*m)->StatesAt(f, /*tier=*/0, &states);   // the most and the least durable state
//
// A model does not enumerate every subset of operations (that is exponential):
// it proposes its states in tiers of falling priority, so that an explorer
// bounded in states or time checks the telling ones first. Tier 0 is always
// the most and the least durable state of the cut.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/base/status.h"
#include "harness/persist/crash_state.h"
#include "harness/persist/cut_facts.h"

namespace crashbench {

using ModelOptions = std::map<std::string, std::string>;

class PersistenceModel {
 public:
  virtual ~PersistenceModel() = default;

  virtual std::string_view name() const = 0;
  // How many tiers StatesAt knows (tiers 0 .. tiers()-1).
  virtual int tiers() const = 0;
  // Appends the states of `tier` a crash at facts.cut() may leave, in
  // priority order. Duplicates are allowed: the explorer removes them.
  virtual void StatesAt(const CutFacts& facts, int tier, std::vector<CrashState>* out) const = 0;
  // Why op `index` (before the cut) may be lost in this model, for a person:
  // "no fsync of the file after it".
  virtual std::string WhyLost(const CutFacts& facts, int index) const = 0;
};

// The models by name; options are the model's own ("auto_da_alloc": "on" | "off").
// An unknown name or option is an error naming the valid choices.
Result<std::unique_ptr<PersistenceModel>> MakePersistenceModel(const std::string& name,
                                                               const ModelOptions& options);
std::vector<std::string> PersistenceModelNames();

// The factories, one in each model's file.
Result<std::unique_ptr<PersistenceModel>> MakePrefixModel(const ModelOptions& options);
Result<std::unique_ptr<PersistenceModel>> MakeLazyfsModel(const ModelOptions& options);
Result<std::unique_ptr<PersistenceModel>> MakePosixWeakModel(const ModelOptions& options);
Result<std::unique_ptr<PersistenceModel>> MakeExt4OrderedModel(const ModelOptions& options);

// Refuses any option outside `known` (option: valid values), naming the model
// and the valid choices: for the factories.
Status CheckModelOptions(std::string_view model, const ModelOptions& options,
                         const std::map<std::string, std::vector<std::string>>& known);

}  // namespace crashbench
