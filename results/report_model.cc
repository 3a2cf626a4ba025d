#include "results/report_model.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "harness/base/json_file.h"
#include "harness/contract/anomaly.h"
#include "results/load_results.h"
#include "results/results.h"

namespace crashbench {
namespace {

using nlohmann::json;

constexpr size_t kMaxDetailsKept = 50;

bool IsTrialObject(const json& j) {
  return j.is_object() && j.contains("replay") && j.contains("index") && j.contains("anomalies");
}

// Counts as "torn 1, partial-visible 2", in the order of the map (kind names).
std::string CountsText(const json& counts, const std::set<std::string>& only, bool inside) {
  std::string out;
  if (!counts.is_object()) return out;
  for (const auto& [kind, n] : counts.items()) {
    if (only.count(kind) != static_cast<size_t>(inside) || !n.is_number() ||
        n.get<long long>() <= 0)
      continue;
    (out += out.empty() ? "" : ", ") += kind + " " + std::to_string(n.get<long long>());
  }
  return out;
}

// The kinds of the scenario's expect.forbid or expect.show.
std::set<std::string> ExpectKinds(const json& scenario, const char* key) {
  std::set<std::string> kinds;
  for (const json& k : Member(Member(scenario, "expect"), key))
    if (k.is_string()) kinds.insert(k.get<std::string>());
  return kinds;
}

ScenarioView ViewOf(const json& s) {
  ScenarioView v;
  v.name = s.value("name", "");
  v.strategy = s.value("strategy", "");
  v.fault_label = s.value("fault_label", "none");
  v.source = s.value("source", "");
  v.workers = s.value("workers", 0);
  v.workload = s.value("workload", json::object());
  const json fault = s.value("fault", json::object());
  const std::string target = fault.is_object() ? fault.value("target", "worker") : "worker";
  if (target != "worker") v.target = target;
  v.col = v.fault_label.substr(0, v.fault_label.find('/'));
  v.row = v.name.substr(0, v.name.find('/'));
  const json summary = s.value("summary", json::object());
  v.expectation = summary.value("expectation", "held");
  v.error = summary.value("error", "");
  if (s.contains("costs") && s["costs"].is_object()) v.costs = s["costs"];
  for (const auto& [kind, n] : Member(summary, "forbidden_seen").items())
    if (n.is_number()) v.forbidden_seen[kind] = n.get<long long>();
  for (const auto& [kind, n] : Member(summary, "anomalies").items())
    if (n.is_number()) v.anomalies[kind] = n.get<long long>();

  const std::set<std::string> forbid = ExpectKinds(s, "forbid"), show = ExpectKinds(s, "show");
  v.has_expectations = !forbid.empty() || !show.empty();
  std::set<std::string> appeared;  // every kind with a positive count in some trial

  std::map<std::string, long long> hits;  // violation kind -> trials it appeared in
  const json& trials = Member(s, "trials");
  for (const json& t : trials) {
    if (!t.is_object()) continue;
    ++v.trials;
    v.duration_s += t.value("duration_ms", 0.0) / 1000.0;
    const std::string error = t.value("error", "");
    v.harness_errors += !error.empty();
    const json counts = t.value("anomalies", json::object());
    bool violated = false, forbidden = false;
    for (const auto& [kind, n] : counts.items()) {
      if (!n.is_number() || n.get<long long>() <= 0) continue;
      appeared.insert(kind);
      auto k = AnomalyFromName(kind);
      if (k && IsViolation(*k)) {
        violated = true;
        hits[kind]++;
      }
      forbidden |= forbid.count(kind) > 0;
    }
    v.with_violations += violated || t.value("violations", 0LL) > 0;
    if (!forbidden && error.empty()) continue;
    if (++v.failing_total > static_cast<long long>(kMaxFailingTrialsKept)) continue;
    FailingTrial f;
    f.index = t.value("index", 0LL);
    f.forbidden = CountsText(counts, forbid, true);
    f.others = CountsText(counts, forbid, false);
    f.error = error;
    f.replay = t.value("replay", "");
    if (t.contains("details") && t["details"].is_array()) f.details = t["details"];
    v.failing.push_back(std::move(f));
  }
  if (trials.empty() && v.error.empty() && !summary.empty()) {
    // A file whose trials were left out: fall back on the summary's counts.
    v.trials = summary.value("trials", 0LL);
    v.with_violations = summary.value("trials_with_violations", 0LL);
    v.harness_errors = summary.value("harness_errors", 0LL);
  }
  if (trials.empty()) {
    for (const json& k : Member(summary, "not_shown"))  // trimmed trials: the summary says
      if (k.is_string()) v.not_shown.push_back(k.get<std::string>());
  } else if (v.error.empty()) {
    for (const std::string& k : show)
      if (!appeared.count(k)) v.not_shown.push_back(k);
  }
  std::vector<std::pair<long long, std::string>> order;
  for (const auto& [kind, n] : hits) order.emplace_back(-n, kind);
  std::sort(order.begin(), order.end());
  for (const auto& [n, kind] : order) v.worst_kinds.push_back(kind);
  return v;
}

}  // namespace

std::string ScenarioView::Cell() const {
  if (!error.empty()) return "error";
  std::string cell = std::to_string(with_violations) + "/" + std::to_string(trials);
  if (harness_errors) cell += " (" + std::to_string(harness_errors) + " harness errors)";
  for (size_t i = 0; i < worst_kinds.size() && i < 2; ++i) cell += (i ? "," : " ") + worst_kinds[i];
  if (!target.empty()) cell += " (" + target + ")";
  if (failed())
    cell += " !";
  else if (!not_shown.empty())
    cell += " ?";
  return cell;
}

const ScenarioView* ReportModel::At(const std::string& row, const std::string& col) const {
  auto it = grid.find({row, col});
  return it == grid.end() ? nullptr : &scenarios[it->second];
}

long long ReportModel::FailedScenarios() const {
  return std::count_if(scenarios.begin(), scenarios.end(),
                       [](const ScenarioView& s) { return s.failed(); });
}

VerdictCounts ReportModel::Verdicts() const {
  VerdictCounts c;
  for (const ScenarioView& s : scenarios) {
    ++c.scenarios;
    c.failed += s.failed();
    c.harness_errors += s.has_harness_error();
    c.not_shown += !s.not_shown.empty();
    if (s.has_expectations) continue;
    ++c.without_expectations;
    c.unchecked_trials += s.trials;
    c.unchecked_violating += s.with_violations;
  }
  return c;
}

long long ReportModel::HarnessErrorScenarios() const {
  return std::count_if(scenarios.begin(), scenarios.end(),
                       [](const ScenarioView& s) { return s.has_harness_error(); });
}

Result<json> LoadResultsForReport(const std::string& path) {
  // Trimmed as it is parsed, so a file of many thousand trials is never held whole.
  // A scenario's "expect" comes before its trials in the file (WriteResults
  // writes it so), which lets each trial be judged as it is read.
  std::set<std::string> forbid;
  size_t failing_kept = 0;
  auto trim = [&](json& parsed) {
    const bool is_expect = parsed.is_object() && parsed.contains("forbid") &&
                           parsed["forbid"].is_array() &&
                           (parsed.size() == 1 || (parsed.size() == 2 && parsed.contains("show")));
    if (is_expect) {
      forbid.clear();
      failing_kept = 0;
      for (const json& k : parsed["forbid"])
        if (k.is_string()) forbid.insert(k.get<std::string>());
      return;
    }
    if (!IsTrialObject(parsed)) return;
    parsed.erase("processes");
    bool failing = parsed.contains("error");
    if (parsed["anomalies"].is_object())
      for (const auto& [kind, n] : parsed["anomalies"].items())
        failing |= forbid.count(kind) && n.is_number() && n.get<long long>() > 0;
    if (!failing || ++failing_kept > kMaxFailingTrialsKept) {
      parsed.erase("details");
    } else if (parsed.contains("details") && parsed["details"].is_array() &&
               parsed["details"].size() > kMaxDetailsKept) {
      json kept = json::array();
      for (size_t i = 0; i < kMaxDetailsKept; ++i) kept.push_back(std::move(parsed["details"][i]));
      parsed["details_total"] = parsed["details"].size();
      parsed["details"] = std::move(kept);
    }
  };
  return LoadResultsFile(path, trim);
}

ReportModel BuildReportModel(const json& results) {
  ReportModel m;
  m.tool = results.value("tool", json::object());
  m.context = results.value("context", json::object());
  m.interrupted = results.value("interrupted", false);
  for (const json& s : Member(results, "scenarios")) {
    if (!s.is_object()) continue;
    ScenarioView v = ViewOf(s);
    // As the console table: a second scenario in the same cell gets a row of its own.
    if (m.grid.count({v.row, v.col})) v.row = v.name;
    if (std::find(m.rows.begin(), m.rows.end(), v.row) == m.rows.end()) m.rows.push_back(v.row);
    if (std::find(m.cols.begin(), m.cols.end(), v.col) == m.cols.end()) m.cols.push_back(v.col);
    m.grid[{v.row, v.col}] = m.scenarios.size();
    m.scenarios.push_back(std::move(v));
  }
  return m;
}

const json& Member(const json& j, const std::string& key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::string DetailLine(const nlohmann::json& d, const std::string& indent) {
  std::string line = indent + d.value("kind", std::string("?"));
  if (d.contains("file")) line += " " + d.value("file", std::string());
  if (d.contains("line") && d["line"].is_number() && d["line"].get<long long>() >= 0)
    line += ":" + d["line"].dump();
  if (d.contains("offset") && d["offset"].is_number() && d["offset"].get<long long>() >= 0)
    line += " @" + d["offset"].dump();
  if (d.contains("task")) line += " task " + d["task"].dump();
  if (d.contains("seq")) line += " seq " + d["seq"].dump();
  if (d.contains("detail")) line += "  " + d.value("detail", std::string());
  if (d.contains("excerpt")) line += "\n" + indent + "  " + d.value("excerpt", std::string());
  return line + "\n";
}

std::string Fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// XML 1.0 text and attribute values. Control characters XML cannot carry
// become visible "\xNN"; newlines in attributes become character references.
std::string XmlEscape(const std::string& s, bool attribute) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        if (c < 0x20) {
          static const char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

}  // namespace crashbench
