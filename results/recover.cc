#include "results/recover.h"

#include <algorithm>
#include <fstream>

namespace crashbench {
namespace {

Status ReadHeader(const std::string& line, const std::string& path, RunOutcome* out) {
  const nlohmann::json h = nlohmann::json::parse(line, nullptr, false);
  if (h.is_discarded() || !h.is_object() || h.value("crashbench_spill", 0) != 1 ||
      !h.contains("scenarios") || !h["scenarios"].is_array())
    return Status::Error(path + ": line 1 is not a crashbench spill header");
  Result<std::vector<Scenario>> scenarios = ParseScenarios(h["scenarios"].dump(), path);
  if (!scenarios.ok()) return scenarios.status();
  for (Scenario& s : *scenarios) out->scenarios.push_back(ScenarioResult{std::move(s)});
  if (h.contains("shard") && h["shard"].is_array() && h["shard"].size() == 2 &&
      h["shard"][0].is_number_integer() && h["shard"][1].is_number_integer()) {
    out->shard_index = h["shard"][0].get<int>();
    out->shard_count = std::max(1, h["shard"][1].get<int>());
  }
  return Status::Ok();
}

}  // namespace

Result<RunOutcome> RecoverSpilledRun(const std::string& spill_path) {
  std::ifstream in(spill_path, std::ios::binary);
  if (!in) return Status::Error(spill_path + ": cannot be read");
  RunOutcome out;
  out.interrupted = true;
  out.spill_path = spill_path;
  std::string line;
  long long offset = 0, line_no = 0;
  while (std::getline(in, line)) {
    const long long start = offset;
    offset += static_cast<long long>(line.size()) + 1;
    ++line_no;
    if (in.eof()) break;  // no newline: the death cut this line short
    if (line_no == 1) {
      if (Status st = ReadHeader(line, spill_path, &out); !st.ok()) return st;
      continue;
    }
    const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("scenario_index") ||
        !j["scenario_index"].is_number_unsigned() ||
        j["scenario_index"].get<size_t>() >= out.scenarios.size())
      return Status::Error(spill_path + ": line " + std::to_string(line_no) +
                           " is not a spilled trial of this run");
    TrialResult t = TrialResultFromJson(j);
    t.spill_offset = start;
    out.scenarios[j["scenario_index"].get<size_t>()].trials.push_back(std::move(t));
  }
  if (line_no == 0 || (line_no == 1 && in.eof()))
    return Status::Error(spill_path + ": holds no complete header (the run died as it started)");
  for (ScenarioResult& sr : out.scenarios)
    std::sort(sr.trials.begin(), sr.trials.end(),
              [](const TrialResult& a, const TrialResult& b) { return a.index < b.index; });
  return out;
}

}  // namespace crashbench
