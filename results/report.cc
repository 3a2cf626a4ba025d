#include "results/report.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <sstream>

#include "harness/base/sys.h"

namespace crashbench {
namespace {

using nlohmann::json;

// Markdown table cells and text: GitHub renders inline HTML, so markup
// characters are entities and Markdown's own are backslash-escaped.
std::string Md(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '\n':
      case '\r':
        out += ' ';
        break;
      case '\\':
      case '`':
      case '*':
      case '_':
      case '|':
      case '[':
      case ']':
        out += '\\';
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

void MdRow(std::ostringstream& out, const std::vector<std::string>& cells) {
  out << "|";
  for (const std::string& c : cells) out << " " << c << " |";
  out << "\n";
}

std::string ContextLine(const ReportModel& m) {
  std::string line = "crashbench " + m.tool.value("version", std::string("?")) + " (" +
                     m.tool.value("git_sha", std::string("?")) + ")";
  for (const char* key : {"host_name", "kernel", "fs_type", "date"})
    if (m.context.contains(key) && m.context[key].is_string())
      line += " · " + m.context[key].get<std::string>();
  if (m.context.contains("num_cpus")) line += " · " + m.context["num_cpus"].dump() + " CPUs";
  return line;
}

std::string Headline(const ReportModel& m) { return VerdictHeadline(m.Verdicts()); }

// Demonstrations (expect.show) that did not show this time: said, not failed.
void NotShown(std::ostringstream& out, const ReportModel& m) {
  bool any = false;
  for (const ScenarioView& s : m.scenarios) {
    if (s.not_shown.empty()) continue;
    if (!any) out << "\n### Demonstrations not shown this time\n\n";
    any = true;
    std::string kinds;
    for (const std::string& k : s.not_shown) (kinds += kinds.empty() ? "" : ", ") += k;
    out << "- **" << Md(s.name) << "**: " << Md(kinds) << " in none of " << s.trials
        << " trials: not shown this time (a demonstration, not a failure)\n";
  }
}

void CostTable(std::ostringstream& out, const ReportModel& m) {
  bool any = false;
  for (const ScenarioView& s : m.scenarios) {
    if (s.costs.is_null()) continue;
    if (!any) {
      out << "\n### Costs\n\n";
      MdRow(out, {"scenario", "records/s (min-max)", "MB/s", "task ms p50/p95/p99", "ser+ipc",
                  "limit", "of limit"});
      out << "|---|--:|--:|--:|--:|---|--:|\n";
      any = true;
    }
    const json& c = s.costs;
    const json spread = c.value("spread", json::object());
    const json limit = c.value("limit", json::object());
    const double limit_rate = limit.value("records_per_s", 0.0);
    MdRow(out,
          {Md(s.name),
           HumanNumber(c.value("records_per_s", 0.0)) + " (" +
               HumanNumber(spread.value("min", 0.0)) + "-" + HumanNumber(spread.value("max", 0.0)) +
               ")" + (c.value("noisy", false) ? " ~" : ""),
           Fixed(c.value("bytes_per_s", 0.0) / 1e6, 1), LatencyCell(c), SerializationCell(c),
           Md(limit.value("name", std::string("-"))) + " " + HumanNumber(limit_rate) + "/s",
           limit_rate > 0 ? Fixed(c.value("fraction_of_limit", 0.0), 2) : "-"});
  }
  if (any)
    out << "\nCosts from the fault-free trials (median of each scenario's trials; ~ marks a wide "
           "spread); limits measured in the same run on the same filesystem.\n";
}

void Failures(std::ostringstream& out, const ReportModel& m) {
  bool any = false;
  for (const ScenarioView& s : m.scenarios) {
    if (!s.failed() && !s.has_harness_error()) continue;
    if (!any) out << "\n### Failures\n";
    any = true;
    out << "\n**" << Md(s.name) << "** (" << Md(s.fault_label) << ", " << Md(s.strategy) << "): ";
    if (!s.error.empty()) out << "scenario error: " << Md(s.error);
    std::string seen;
    for (const auto& [kind, n] : s.forbidden_seen)
      (seen += seen.empty() ? "" : ", ") +=
          kind + " in " + std::to_string(n) + " of " + std::to_string(s.trials);
    if (!seen.empty()) out << "forbidden " << Md(seen) << " trials";
    if (s.harness_errors)
      out << (seen.empty() ? "" : "; ") << s.harness_errors << " trials with harness errors";
    out << "\n";
    const size_t shown = std::min<size_t>(s.failing.size(), 3);
    for (size_t i = 0; i < shown; ++i) {
      const FailingTrial& f = s.failing[i];
      out << "\n- trial " << f.index << ": "
          << Md(f.error.empty() ? f.forbidden : "harness error: " + f.error)
          << (f.others.empty() ? "" : " (also " + Md(f.others) + ")") << "\n\n  ```\n  " << f.replay
          << "\n  ```\n";
    }
    if (s.failing_total > static_cast<long long>(shown))
      out << "\n(" << s.failing_total - static_cast<long long>(shown)
          << " more failing trials of this scenario in results.json)\n";
  }
}

// GitHub workflow command escaping: data, then property values.
std::string GhData(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string GhProperty(const std::string& s) {
  std::string out;
  for (char c : GhData(s)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string RenderSummaryMarkdown(const json& results) {
  const ReportModel m = BuildReportModel(results);
  std::ostringstream out;
  out << "## crashbench: " << Headline(m) << "\n\n" << Md(ContextLine(m)) << "\n";
  if (m.interrupted) out << "\n**The run was interrupted: only finished trials are counted.**\n";
  out << "\n### Integrity: scenario x fault\n\n";
  std::vector<std::string> head = {"scenario"};
  for (const std::string& c : m.cols) head.push_back(Md(c));
  MdRow(out, head);
  out << "|---|";
  for (size_t i = 0; i < m.cols.size(); ++i) out << "---|";
  out << "\n";
  for (const std::string& r : m.rows) {
    std::vector<std::string> cells = {Md(r)};
    for (const std::string& c : m.cols) {
      const ScenarioView* s = m.At(r, c);
      std::string cell = s ? Md(s->Cell()) : "";
      if (s && (s->failed() || !s->error.empty())) cell = "**" + cell + "**";
      cells.push_back(cell);
    }
    MdRow(out, cells);
  }
  out << "\nCells: trials with violations / trials, then the violation kinds seen most; "
         "**!** marks a broken guarantee (a forbidden kind appeared), **?** a demonstration "
         "not shown this time (not a failure).\n";
  CostTable(out, m);
  Failures(out, m);
  NotShown(out, m);
  return out.str();
}

std::string RenderGithubAnnotations(const json& results, int max) {
  const ReportModel m = BuildReportModel(results);
  std::ostringstream out;
  int total = 0;
  for (const ScenarioView& s : m.scenarios) {
    if (!s.failed() && !s.has_harness_error()) continue;
    if (++total > max) continue;
    std::string title =
        "crashbench: " + s.name + (s.failed() ? " failed its expectation" : " harness error");
    std::string message;
    if (!s.error.empty()) message = "scenario error: " + s.error + ". ";
    for (const auto& [kind, n] : s.forbidden_seen)
      message += kind + " (forbidden) in " + std::to_string(n) + " of " + std::to_string(s.trials) +
                 " trials. ";
    if (s.harness_errors)
      message += std::to_string(s.harness_errors) + " trials with harness errors. ";
    if (!s.failing.empty()) {
      const FailingTrial& f = s.failing.front();
      message += "Trial " + std::to_string(f.index) + ": " +
                 (f.error.empty() ? f.forbidden : "harness error: " + f.error) +
                 (f.others.empty() ? "" : " (also " + f.others + ")") + ". Replay: " + f.replay;
    }
    out << "::error " << (s.source.empty() ? "" : "file=" + GhProperty(s.source) + ",")
        << "title=" << GhProperty(title) << "::" << GhData(message) << "\n";
  }
  if (total > max)
    out << "... and " << total - max << " more failing scenarios (at most " << max
        << " annotations are shown; see summary.md or junit.xml)\n";
  return out.str();
}

Status AppendStepSummary(const std::string& path, const std::string& text,
                         const std::string& full_path, size_t limit) {
  UniqueFd fd(RetryOnEintr(
      [&] { return ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644); }));
  if (!fd.valid()) return ErrnoStatus("open step summary " + path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("stat step summary " + path, errno);
  const size_t used = static_cast<size_t>(st.st_size);
  // Text another command left without a final newline would swallow our heading.
  std::string body = text;
  char last = '\n';
  if (used > 0 && RetryOnEintr([&] { return ::pread(fd.get(), &last, 1, st.st_size - 1); }) == 1 &&
      last != '\n')
    body.insert(0, "\n");
  const size_t room = used < limit ? limit - used : 0;
  if (body.size() <= room) return WriteFull(fd.get(), body.data(), body.size());
  const std::string note = "\n> **Summary truncated**: GitHub keeps at most " +
                           std::to_string(limit / 1024) +
                           " KiB of a step's summary. The whole summary: `" + full_path + "`\n";
  const std::string fence_close = "  ```\n";
  if (room < note.size() + fence_close.size())
    return Status::Error("step summary " + path + " is full (" + std::to_string(used) + " of " +
                         std::to_string(limit) + " bytes); the summary is in " + full_path);
  std::string cut = body.substr(0, room - note.size() - fence_close.size());
  cut.erase(cut.rfind('\n') == std::string::npos ? 0 : cut.rfind('\n') + 1);  // whole lines only
  size_t fences = 0;
  for (size_t at = cut.find("```"); at != std::string::npos; at = cut.find("```", at + 3)) ++fences;
  if (fences % 2) cut += fence_close;  // never leave a code block open over the note
  cut += note;
  return WriteFull(fd.get(), cut.data(), cut.size());
}

ReportEnv ReportEnvFromProcess() {
  ReportEnv env;
  const char* actions = std::getenv("GITHUB_ACTIONS");
  env.github_actions = actions && std::string(actions) == "true";
  if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY")) env.step_summary = summary;
  return env;
}

Status WriteReports(const json& results, const std::string& dir, const ReportEnv& env,
                    std::ostream& out) {
  Status first;
  auto keep = [&](Status st) {
    if (first.ok() && !st.ok()) first = st;
  };
  std::string summary;
  try {
    summary = RenderSummaryMarkdown(results);
    keep(WriteFileAtomic(dir + "/summary.md", summary));
    keep(WriteFileAtomic(dir + "/junit.xml", RenderJunitXml(results)));
    keep(WriteFileAtomic(dir + "/report.html", RenderReportHtml(results)));
    keep(WriteFileAtomic(dir + "/bench.json", RenderBenchmarkJson(results)));
    // GitHub's summary being full is not a failure of the reports: they are written.
    if (!env.step_summary.empty()) {
      if (Status st = AppendStepSummary(env.step_summary, summary, dir + "/summary.md"); !st.ok())
        std::cerr << "crashbench: warning: " << st.message() << "\n";
    }
    if (env.github_actions) out << RenderGithubAnnotations(results);
  } catch (const json::exception& e) {
    // A hand-edited file with a field of the wrong type.
    return Status::Error("a field of the results has an unexpected type: " + std::string(e.what()));
  }
  return first;
}

void WriteRunReports(const std::string& results_path, const std::string& dir, std::ostream& out) {
  Result<json> doc = LoadResultsForReport(results_path);
  Status st = doc.ok() ? WriteReports(*doc, dir, ReportEnvFromProcess(), out) : doc.status();
  if (!st.ok()) {
    std::cerr << "crashbench: warning: reports not written completely: " << st.message() << "\n";
    return;
  }
  out << "reports: " << dir << "/{summary.md,junit.xml,report.html,bench.json}\n";
}

}  // namespace crashbench
