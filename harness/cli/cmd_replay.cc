// crashbench replay RESULTS --trial SCENARIO:INDEX: the same trial again (same
// seed, same fault point and occurrence, same random-moment window), its
// scratch directory kept, and the bytes around every violation dumped from it.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "harness/base/sys.h"
#include "harness/cli/commands.h"
#include "harness/run/runner.h"
#include "harness/run/trial_ref.h"
#include "results/results.h"

namespace crashbench {
namespace {

// Violations dumped at most, per kind and in all: a replay is read by a person.
constexpr int kMaxDumpsPerKind = 3;
constexpr int kMaxDumps = 12;

std::string Counts(const AnomalyCounts& counts) {
  std::string s;
  for (const auto& [k, n] : counts) (s += s.empty() ? "" : ", ") += k + " " + std::to_string(n);
  return s.empty() ? "none" : s;
}

std::set<std::string> ViolationKinds(const AnomalyCounts& counts) {
  std::set<std::string> kinds;
  for (const auto& [k, n] : counts)
    if (auto kind = AnomalyFromName(k); kind && IsViolation(*kind) && n > 0) kinds.insert(k);
  return kinds;
}

// 16 bytes a row: offset, hex, printable ASCII. The row holding `mark` starts
// with '>' and is followed by a caret under the marked byte.
std::string HexDump(const std::string& bytes, long long base, long long mark) {
  std::ostringstream out;
  for (size_t row = 0; row < bytes.size(); row += 16) {
    const long long at = base + static_cast<long long>(row);
    const bool marked = mark >= at && mark < at + 16;
    char head[32];
    std::snprintf(head, sizeof head, "%c %08llx  ", marked ? '>' : ' ', at);
    std::string hex, text;
    for (size_t i = row; i < row + 16; ++i) {
      if (i < bytes.size()) {
        char h[4];
        std::snprintf(h, sizeof h, "%02x ", static_cast<unsigned char>(bytes[i]));
        hex += h;
        const unsigned char c = static_cast<unsigned char>(bytes[i]);
        text += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.';
      } else {
        hex += "   ";
      }
      if (i == row + 7) hex += ' ';
    }
    out << head << hex << " |" << text << "|\n";
    if (marked) {
      const long long col = mark - at;
      out << std::string(12 + static_cast<size_t>(col) * 3 + (col > 7 ? 1 : 0), ' ') << "^^ offset "
          << mark << "\n";
    }
  }
  return out.str();
}

// The bytes of dir/file around offset, or why there are none. A record that
// starts at offset is followed to its end (the next newline, or the end of
// the file), and the bytes there are shown too: that is where a cut shows.
std::string DumpAround(const std::string& dir, const std::string& file, long long offset,
                       int context) {
  Result<std::string> bytes = ReadFileToString(dir + "/" + file);
  if (!bytes.ok()) return "    (cannot read " + file + ": " + bytes.status().message() + ")\n";
  const long long size = static_cast<long long>(bytes->size());
  if (size == 0) return "    (" + file + " is empty: 0 bytes)\n";
  if (offset < 0) offset = 0;
  auto window = [&](long long at) {
    long long from = std::max(0LL, at - context) / 16 * 16;
    if (from >= size) from = std::max(0LL, size - 16) / 16 * 16;
    const long long to = std::min(size, std::max(at, from) + context + 1);
    return HexDump(bytes->substr(static_cast<size_t>(from), static_cast<size_t>(to - from)), from,
                   at < size ? at : -1);
  };
  std::string text = "    " + file + ": " + std::to_string(size) + " bytes";
  if (offset >= size) text += "; the anomaly is at its end (offset " + std::to_string(offset) + ")";
  text += "\n" + window(offset);
  if (offset < size) {
    const size_t nl = bytes->find('\n', static_cast<size_t>(offset));
    const long long end = nl == std::string::npos ? size : static_cast<long long>(nl);
    if (end > offset + context) {
      text += "    ... the record from offset " + std::to_string(offset) + " ends at offset " +
              std::to_string(end) +
              (nl == std::string::npos ? " (end of file, no newline: cut short)" : " (newline)") +
              ":\n";
      text += window(nl == std::string::npos ? end - 1 : end);
    }
  }
  return text;
}

// The original trial's outcome beside the replay's, and whether it reproduced.
void PrintReproduction(const TrialRef& ref, const TrialResult& t) {
  const Scenario& s = ref.scenario;
  const AnomalyCounts original = ref.trial.value("anomalies", AnomalyCounts{});
  std::cout << "  original: fired " << ref.trial.value("fired", nlohmann::json()).dump() << "\n"
            << "            anomalies: " << Counts(original) << "\n"
            << "  replay:   fired " << t.fired.dump() << "\n"
            << "            anomalies: " << Counts(t.counts) << "\n";
  if (!t.error.empty()) std::cout << "  harness error: " << t.error << "\n";
  if (t.counts == original)
    std::cout << "  reproduced: the same anomaly counts\n";
  else if (ViolationKinds(t.counts) == ViolationKinds(original))
    std::cout << "  reproduced: the same violation kinds (counts differ)\n";
  else
    std::cout << "  NOT reproduced exactly: the violation kinds differ\n";
  const TriggerType trig = s.fault.trigger.type;
  if (s.fault.kind != "none" && (trig == TriggerType::kRandom || trig == TriggerType::kAfterMs))
    std::cout << "  note: this fault fires at a moment (" << t.fired.value("at_us", -1LL)
              << " us into the run), not at a byte: the replay reuses the moment, so the processes "
                 "may be "
                 "elsewhere when it comes and the damage can differ. Point and after_records "
                 "triggers replay "
                 "exactly.\n";
}

// The damage, from the kept files: one dump per (file, offset), every kind found there named.
void PrintDamage(const TrialResult& t, int context_bytes) {
  std::map<std::pair<std::string, long long>, std::vector<const Anomaly*>> places;
  std::vector<const Anomaly*> elsewhere;
  std::map<AnomalyKind, int> per_kind;
  int dumps = 0;
  for (const Anomaly& a : t.anomalies) {
    if (!IsViolation(a.kind)) continue;
    const bool has_place = !a.file.empty() && a.offset >= 0;
    auto key = std::make_pair(a.file, a.offset);
    if (has_place && !places.count(key)) {
      if (per_kind[a.kind] >= kMaxDumpsPerKind || dumps >= kMaxDumps) continue;
      ++per_kind[a.kind];
      ++dumps;
    }
    if (has_place)
      places[key].push_back(&a);
    else if (elsewhere.size() < static_cast<size_t>(kMaxDumps))
      elsewhere.push_back(&a);
  }
  if (!places.empty() || !elsewhere.empty())
    std::cout << "\ndamage (violations), from the kept files:\n";
  for (const auto& [where, anomalies] : places) {
    std::cout << "\n";
    for (const Anomaly* a : anomalies) {
      std::cout << "  " << AnomalyName(a->kind) << "  " << a->file << " @" << a->offset;
      if (a->line >= 0) std::cout << " line " << a->line;
      if (a->task >= 0) std::cout << " task " << a->task;
      if (a->seq >= 0) std::cout << " seq " << a->seq;
      if (!a->detail.empty()) std::cout << ": " << a->detail;
      std::cout << "\n";
    }
    std::cout << DumpAround(t.kept_dir, where.first, where.second, context_bytes);
  }
  for (const Anomaly* a : elsewhere) {
    std::cout << "  " << AnomalyName(a->kind) << (a->file.empty() ? "" : "  " + a->file);
    if (a->task >= 0) std::cout << " task " << a->task;
    std::cout << (a->detail.empty() ? "" : ": " + a->detail) << "\n";
  }
}

}  // namespace

int RunReplayTrialCommand(const ReplayTrialCommand& cmd) {
  Result<TrialRef> ref = FindTrial(cmd.results, cmd.trial);
  if (!ref.ok()) {
    std::cerr << "crashbench: " << ref.status().message() << "\n";
    return 2;
  }
  const Scenario& s = ref->scenario;
  RunOptions opt;
  opt.jobs = 1;
  opt.keep = true;
  opt.only_trial = ref->index;
  opt.random_window_us = ref->random_window_us;
  opt.explore = ref->explore;
  opt.scratch_parent = cmd.scratch_parent;
  opt.self_exe = SelfExecutable();
  opt.measure_limits = false;
  InstallInterruptHandlers();
  std::cout << "replaying " << s.name << " trial " << ref->index << " (seed "
            << ref->trial.value("seed", 0ULL) << ", " << FaultLabel(s.fault) << ") from "
            << cmd.results << "\n";
  RunOutcome out = RunScenarios({s}, opt);
  const ScenarioResult& sr = out.scenarios.front();
  if (!sr.error.empty() || sr.trials.empty()) {
    std::cerr << "crashbench: the replay did not run: "
              << (sr.error.empty() ? "interrupted" : sr.error) << "\n";
    if (!out.scratch_root.empty()) (void)RemoveTree(out.scratch_root);
    return sr.input_error ? 2 : 3;
  }
  const TrialResult& t = sr.trials.front();
  PrintReproduction(*ref, t);
  PrintDamage(t, cmd.context_bytes);
  std::cout << "\nscratch directory kept: " << t.kept_dir << "\n(remove it with: rm -rf "
            << out.scratch_root << ")\n";
  return RunExitCode(out);
}

}  // namespace crashbench
