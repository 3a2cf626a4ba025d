// The crash-state explorer: walks a log's cuts, asks a persistence model for
// the states of each, builds them, drops the ones already seen and hands the
// rest to a visitor, in priority order: the model's tier 0 (the most and the
// least durable state) at every cut first, then tier 1 at every cut, and so
// on. A bound on states and on time stops it early; its counts say so.
//
//   ExploreOptions opt;  opt.max_states = 20000;
//   ExploreCounts n = Explore(log, *model, opt, [&](const ExploredState& s) {
//     Judge(s.state, s.acked);  return true;
//   });
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/persist/model.h"

namespace crashbench {

enum class CutMode {
  kAll,      // a crash after every op (ALICE)
  kPersist,  // only after each sync and each acknowledgement, and at the end (CrashMonkey)
};

struct ExploreOptions {
  CutMode cuts = CutMode::kAll;
  long long max_states = 100000;  // distinct states checked at most; 0: no bound
  // States enumerated at most (duplicates included), so that a model that
  // proposes little that is new cannot spin; 0: 32 x max_states.
  long long max_enumerated = 0;
  double time_budget_s = 0;  // wall time at most; 0: no bound
};

struct ExploreCounts {
  long long enumerated = 0;  // states the model proposed
  long long distinct = 0;    // after removing those already seen (same contents, same acks)
  long long checked = 0;     // handed to the visitor
  bool complete = true;      // false when a bound stopped the walk
  std::string stopped_by;    // "max-states", "max-enumerated", "time budget", "visitor"
};

struct ExploredState {
  const CrashState& crash;           // what the model said
  const FsState& state;              // the directory it leaves
  const std::set<long long>& acked;  // tasks acknowledged before the cut
  const CutFacts& facts;             // the cut's facts, for explanations
  int tier = 0;
};

// Returns false to stop the walk.
using StateVisitor = std::function<bool(const ExploredState&)>;

ExploreCounts Explore(const OpLog& log, const PersistenceModel& model,
                      const ExploreOptions& options, const StateVisitor& visit);

// The cuts the walk visits, ascending (0 .. ops.size()).
std::vector<int> CutPoints(const OpLog& log, CutMode mode);

// Parses "all" / "persist"; nullopt otherwise.
std::optional<CutMode> CutModeFromName(const std::string& name);

}  // namespace crashbench
