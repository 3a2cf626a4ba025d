#include "harness/persist/power_loss.h"

#include <chrono>

#include "harness/persist/explain.h"
#include "harness/persist/judge.h"

namespace crashbench {

Result<PowerLossReport> CheckPowerLoss(const OpLog& log, const FsState* on_disk,
                                       const PowerLossOptions& options) {
  Result<std::unique_ptr<PersistenceModel>> model =
      MakePersistenceModel(options.model, options.model_options);
  if (!model.ok()) return model.status();
  PowerLossReport report;
  report.model = options.model;
  if (on_disk) {
    std::string why;
    if (!SameContents(Replay(log), *on_disk, &why)) {
      report.inconclusive = true;
      report.inconclusive_why = "the log does not replay to the bytes on disk: " + why;
      return report;
    }
  }
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  CrashJudge judge(options.verify);
  std::map<AnomalyKind, size_t> kept;
  report.counts = Explore(log, **model, options.explore, [&](const ExploredState& s) {
    const std::vector<const Anomaly*>& anomalies = judge.Judge(s.state, s.acked);
    std::set<AnomalyKind> kinds;
    for (const Anomaly* a : anomalies)
      if (IsViolation(a->kind)) kinds.insert(a->kind);
    if (kinds.empty()) return true;
    ++report.violating;
    for (AnomalyKind k : kinds) ++report.states_with[std::string(AnomalyName(k))];
    std::set<AnomalyKind> shown;  // one example a kind from each state
    for (const Anomaly* found : anomalies) {
      const Anomaly& a = *found;
      if (!IsViolation(a.kind) || kept[a.kind] >= options.examples_per_kind) continue;
      if (!shown.insert(a.kind).second) continue;
      ++kept[a.kind];
      PowerLossExample e;
      e.state = s.crash.label;
      e.cut = s.crash.cut;
      e.event = s.crash.cut > 0 ? log.ops[static_cast<size_t>(s.crash.cut - 1)].event : -1;
      e.anomaly = a;
      e.anomaly.detail = ExplainAnomaly(**model, s, a) +
                         (a.detail.empty() ? std::string() : " (verifier: " + a.detail + ")");
      report.examples.push_back(std::move(e));
    }
    return true;
  });
  report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  report.per_s =
      report.seconds > 0 ? static_cast<double>(report.counts.checked) / report.seconds : 0;
  return report;
}

nlohmann::json PowerLossJson(const PowerLossReport& r) {
  nlohmann::json j;
  j["model"] = r.model;
  if (r.inconclusive) {
    j["inconclusive"] = true;
    j["why"] = r.inconclusive_why;
    return j;
  }
  j["crash_states"] = {{"enumerated", r.counts.enumerated},
                       {"distinct", r.counts.distinct},
                       {"checked", r.counts.checked},
                       {"violating", r.violating},
                       {"per_s", r.per_s},
                       {"complete", r.counts.complete}};
  if (!r.counts.complete) j["crash_states"]["stopped_by"] = r.counts.stopped_by;
  j["states_with"] = r.states_with;
  nlohmann::json examples = nlohmann::json::array();
  for (const PowerLossExample& e : r.examples) {
    examples.push_back({{"state", e.state},
                        {"cut", e.cut},
                        {"event", e.event},
                        {"kind", AnomalyName(e.anomaly.kind)},
                        {"file", e.anomaly.file},
                        {"task", e.anomaly.task},
                        {"seq", e.anomaly.seq},
                        {"detail", e.anomaly.detail}});
  }
  j["examples"] = std::move(examples);
  return j;
}

}  // namespace crashbench
