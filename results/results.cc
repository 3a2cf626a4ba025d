#include "results/results.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>

#include "harness/base/sys.h"
#include "results/costs.h"
#include "results/verdict.h"

namespace crashbench {

std::string ShellQuote(const std::string& s) {
  if (s.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=@:") ==
      std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Paths in printed commands are absolute, so that they work from any directory.
std::string AbsolutePath(const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

nlohmann::json MachineContext(const RunOutcome& outcome) {
  struct utsname u {};
  ::uname(&u);
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  std::time_t now = std::time(nullptr);
  char date[64];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  std::string cpu = "unknown";
  if (Result<std::string> info = ReadFileToString("/proc/cpuinfo"); info.ok()) {
    if (size_t p = info->find("model name"); p != std::string::npos) {
      size_t colon = info->find(':', p), eol = info->find('\n', p);
      if (colon != std::string::npos && colon < eol) cpu = info->substr(colon + 2, eol - colon - 2);
    }
  }
  return {{"date", date},
          {"cpu", cpu},
          {"host_name", host},
          {"num_cpus", ::sysconf(_SC_NPROCESSORS_ONLN)},
          {"kernel", std::string(u.sysname) + " " + u.release},
          {"machine", u.machine},
          {"fs_type", outcome.fs_type}};
}

namespace {

std::string Binary(const ReplayInfo& replay) {
  return replay.self_exe.empty() ? "crashbench" : ShellQuote(AbsolutePath(replay.self_exe));
}

std::string ScratchFlag(const ReplayInfo& replay) {
  return replay.scratch_parent.empty()
             ? ""
             : " --scratch " + ShellQuote(AbsolutePath(replay.scratch_parent));
}

}  // namespace

std::string ReplayCommand(const ScenarioResult& sr, int index, const ReplayInfo& replay) {
  std::string cmd = Binary(replay) + " run";
  if (!sr.scenario.source.empty())
    cmd += " " + ShellQuote(AbsolutePath(sr.scenario.source));
  else if (replay.quick)
    cmd += " --quick";
  if (replay.explore) cmd += " --explore";
  if (!replay.overrides.empty()) cmd += " " + replay.overrides;
  cmd += " --scenario " + ShellQuote(sr.scenario.name) + " --trial " + std::to_string(index) +
         " --keep" + ScratchFlag(replay);
  if (sr.scenario.fault.kind != "none" && sr.scenario.fault.trigger.type == TriggerType::kRandom &&
      sr.calibration)
    cmd += " --random-window-us " + std::to_string(sr.calibration->duration_us);
  return cmd;
}

std::string ReplayFromResultsCommand(const ScenarioResult& sr, int index,
                                     const ReplayInfo& replay) {
  const std::string results =
      replay.results_path.empty() ? "RESULTS" : ShellQuote(AbsolutePath(replay.results_path));
  return Binary(replay) + " replay " + results + " --trial " +
         ShellQuote(sr.scenario.name + ":" + std::to_string(index)) + ScratchFlag(replay);
}

namespace {

// One trial's full JSON line from the spill file, at its offset.
Result<std::string> ReadSpilledLine(int fd, long long offset) {
  std::string line;
  char buf[65536];
  for (;;) {
    ssize_t n = RetryOnEintr(
        [&] { return ::pread(fd, buf, sizeof buf, offset + static_cast<long long>(line.size())); });
    if (n < 0) return ErrnoStatus("read spilled trial", errno);
    if (n == 0) return line;
    const char* nl = static_cast<const char*>(std::memchr(buf, '\n', static_cast<size_t>(n)));
    line.append(buf, nl ? static_cast<size_t>(nl - buf) : static_cast<size_t>(n));
    if (nl) return line;
  }
}

}  // namespace

nlohmann::json ScenarioSummary(const ScenarioResult& sr) {
  AnomalyCounts total;
  int with_violations = 0, fired = 0, errors = 0;
  for (const TrialResult& t : sr.trials) {
    for (const auto& [k, n] : t.counts) total[k] += n;
    with_violations += t.violations() > 0;
    fired += !t.fired.is_null();
    errors += !t.error.empty();
  }
  std::string expectation = sr.expectation_held() ? "held" : "failed";
  if (sr.trials.empty() && sr.error.empty()) expectation = "not-run";
  nlohmann::json summary = {{"trials", sr.trials.size()},
                            {"trials_with_violations", with_violations},
                            {"trials_fault_fired", fired},
                            {"harness_errors", errors},
                            {"anomalies", total},
                            {"expectation", expectation},
                            {"forbidden_seen", sr.forbidden_seen()},
                            {"shown", sr.shown()},
                            {"not_shown", sr.not_shown()}};
  if (!sr.error.empty()) summary["error"] = sr.error;
  if (sr.input_error) summary["input_error"] = true;
  if (sr.calibration) summary["calibration"] = CalibrationToJson(*sr.calibration);
  return summary;
}

Status WriteResults(FILE* out, const RunOutcome& outcome, const ReplayInfo& replay) {
  UniqueFd spill;
  if (!outcome.spill_path.empty()) {
    spill.Reset(::open(outcome.spill_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!spill.valid()) return ErrnoStatus("open " + outcome.spill_path, errno);
  }
  nlohmann::json limits = nlohmann::json::object();
  for (const auto& [key, l] : outcome.limits) limits[key] = LimitsToJson(l);
  nlohmann::json context = MachineContext(outcome);
  context["limits"] = limits;
  if (!outcome.limits_error.empty()) context["limits_error"] = outcome.limits_error;
  nlohmann::json head = {
      {"schema_version", kResultsSchemaVersion},
      {"tool",
       {{"name", "crashbench"}, {"version", CRASHBENCH_VERSION}, {"git_sha", CRASHBENCH_GIT_SHA}}},
      {"context", context},
      {"interrupted", outcome.interrupted}};
  // A shard's file says which slice it holds and how many trials each
  // scenario has in all, so that `crashbench merge` can check completeness.
  const bool sharded = outcome.shard_count > 1;
  if (sharded) {
    nlohmann::json totals = nlohmann::json::array();
    for (const ScenarioResult& sr : outcome.scenarios) totals.push_back(sr.scenario.trials);
    head["shard"] = {{"index", outcome.shard_index},
                     {"count", outcome.shard_count},
                     {"scenario_trials", totals}};
  }
  // The document is written piece by piece, one trial at a time, so that
  // memory does not grow with the number of trials.
  auto emit = [&](const std::string& text) { std::fwrite(text.data(), 1, text.size(), out); };
  std::string text = head.dump(1);
  text.pop_back();  // the closing brace: scenarios follow
  while (!text.empty() && text.back() == '\n') text.pop_back();
  emit(text + ",\n\"scenarios\": [");
  for (size_t si = 0; si < outcome.scenarios.size(); ++si) {
    const ScenarioResult& sr = outcome.scenarios[si];
    nlohmann::json j = ScenarioToJson(sr.scenario);
    j.erase("trials");
    j["fault_label"] = FaultLabel(sr.scenario.fault);
    if (!sr.scenario.source.empty()) j["source"] = sr.scenario.source;  // for annotations
    j["summary"] = ScenarioSummary(sr);
    auto lim = outcome.limits.find(WorkloadKey(sr.scenario.workload));
    if (auto c = ComputeCosts(sr, lim == outcome.limits.end() ? nullptr : &lim->second))
      j["costs"] = CostsToJson(*c);
    std::string sj = j.dump();
    sj.pop_back();
    emit(std::string(si ? ",\n" : "\n") + sj + ",\"trials\":[");
    for (size_t ti = 0; ti < sr.trials.size(); ++ti) {
      const TrialResult& t = sr.trials[ti];
      nlohmann::json tj;
      if (t.spill_offset >= 0) {
        Result<std::string> line = ReadSpilledLine(spill.get(), t.spill_offset);
        if (!line.ok()) return line.status();
        tj = nlohmann::json::parse(*line, nullptr, false);
        if (tj.is_discarded()) return Status::Error("a spilled trial is not valid JSON");
        tj.erase("scenario_index");  // the spill's own bookkeeping (for recover)
      } else {
        tj = TrialResultToJson(t, false);
      }
      tj["replay"] = ReplayCommand(sr, t.index, replay);
      // Costs are medians over every fault-free trial: a shard keeps the raw
      // samples so the merge can compute them over all shards' trials.
      if (sharded && sr.scenario.fault.kind == "none")
        tj["cost_samples"] = {{"task_latency_us", t.task_latency_us}, {"stage_ns", t.stage_ns}};
      emit(std::string(ti ? ",\n  " : "\n  ") + tj.dump());
    }
    emit("]}");
  }
  emit("\n]\n}\n");
  if (std::ferror(out)) return Status::Error("writing results failed");
  return Status::Ok();
}

Status WriteResultsFile(const std::string& path, const RunOutcome& outcome,
                        const ReplayInfo& replay) {
  // The recipe crashbench recommends: a reader sees the old file or the whole new one.
  return WriteFileAtomicWith(path, [&](FILE* f) { return WriteResults(f, outcome, replay); });
}

std::string RenderFailures(const RunOutcome& outcome, const ReplayInfo& replay, int max) {
  std::ostringstream out;
  int shown = 0, total = 0;
  for (const ScenarioResult& sr : outcome.scenarios) {
    if (!sr.error.empty()) out << "scenario '" << sr.scenario.name << "': " << sr.error << "\n";
    for (const TrialResult& t : sr.trials) {
      bool failed = !t.error.empty();
      std::string kinds;
      for (const auto& [k, n] : t.counts) {
        auto kind = AnomalyFromName(k);
        if (kind && sr.scenario.forbid.count(*kind)) {
          failed = true;
          (kinds += kinds.empty() ? "" : ", ") += k + " " + std::to_string(n);
        }
      }
      if (!failed) continue;
      if (++total > max) continue;
      ++shown;
      out << "FAILED " << sr.scenario.name << " trial " << t.index << ": "
          << (t.error.empty() ? kinds : "harness error: " + t.error)
          << "\n    replay: " << ReplayFromResultsCommand(sr, t.index, replay)
          << "\n    rerun:  " << ReplayCommand(sr, t.index, replay) << "\n";
    }
  }
  if (total > shown) out << "(" << total - shown << " more failing trials in the results file)\n";
  for (const ScenarioResult& sr : outcome.scenarios) {
    std::string missing;
    for (const std::string& k : sr.not_shown()) (missing += missing.empty() ? "" : ", ") += k;
    if (!missing.empty())
      out << "not shown this time: " << sr.scenario.name << ": " << missing << " in none of "
          << sr.trials.size() << " trials (a demonstration, not a failure)\n";
  }
  out << "verdict: " << VerdictHeadline(CountVerdicts(outcome)) << "\n";
  return out.str();
}

int RunExitCode(const RunOutcome& outcome) {
  bool input = false, failed = false, harness = outcome.interrupted;
  for (const ScenarioResult& sr : outcome.scenarios) {
    input |= sr.input_error;
    harness |= !sr.error.empty() && !sr.input_error;
    failed |= !sr.forbidden_seen().empty();
    for (const TrialResult& t : sr.trials) harness |= !t.error.empty();
  }
  if (input) return 2;
  if (failed) return 1;
  if (harness) return 3;
  return 0;
}

}  // namespace crashbench
