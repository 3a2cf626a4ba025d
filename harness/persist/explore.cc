#include "harness/persist/explore.h"

#include <chrono>
#include <functional>
#include <unordered_set>

#include "harness/persist/state_builder.h"

namespace crashbench {
namespace {

uint64_t AckHash(long long task) {
  uint64_t x = static_cast<uint64_t>(task) + 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::optional<CutMode> CutModeFromName(const std::string& name) {
  if (name == "all") return CutMode::kAll;
  if (name == "persist") return CutMode::kPersist;
  return std::nullopt;
}

std::vector<int> CutPoints(const OpLog& log, CutMode mode) {
  std::vector<int> cuts;
  const int n = static_cast<int>(log.ops.size());
  for (int k = 0; k <= n; ++k) {
    if (mode == CutMode::kAll || k == n) {
      cuts.push_back(k);
      continue;
    }
    if (k == 0) continue;
    const OpKind kind = log.ops[static_cast<size_t>(k - 1)].kind;
    if (IsFileSync(kind) || kind == OpKind::kDirFsync || kind == OpKind::kAck) cuts.push_back(k);
  }
  return cuts;
}

ExploreCounts Explore(const OpLog& log, const PersistenceModel& model,
                      const ExploreOptions& options, const StateVisitor& visit) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  const long long max_enumerated =
      options.max_enumerated > 0 ? options.max_enumerated : 32 * options.max_states;
  ExploreCounts n;
  std::unordered_set<uint64_t> seen;
  const std::vector<int> cuts = CutPoints(log, options.cuts);
  auto stop = [&](const char* why) {
    n.complete = false;
    n.stopped_by = why;
    return n;
  };
  std::vector<CrashState> states;
  StateBuilder builder(log);
  for (int tier = 0; tier < model.tiers(); ++tier) {
    CutFacts facts(log);
    std::set<long long> acked;
    uint64_t acked_hash = 0;
    for (int cut : cuts) {
      while (facts.cut() < cut) {
        const Op& op = log.ops[static_cast<size_t>(facts.cut())];
        if (op.kind == OpKind::kAck && acked.insert(op.task).second) acked_hash += AckHash(op.task);
        facts.Advance();
      }
      states.clear();
      model.StatesAt(facts, tier, &states);
      for (const CrashState& crash : states) {
        if (options.max_states > 0 && n.checked >= options.max_states) return stop("max-states");
        if (options.max_states > 0 && n.enumerated >= max_enumerated) return stop("max-enumerated");
        if (options.time_budget_s > 0 &&
            std::chrono::duration<double>(Clock::now() - start).count() > options.time_budget_s)
          return stop("time budget");
        ++n.enumerated;
        const uint64_t key = builder.Key(crash) * 31 + acked_hash;
        if (!seen.insert(key).second) continue;
        ++n.distinct;
        const FsState& state = builder.Build();
        ++n.checked;
        if (!visit(ExploredState{crash, state, acked, facts, tier})) return stop("visitor");
      }
    }
  }
  return n;
}

}  // namespace crashbench
