// Reports people read, from one results file: summary.md (Markdown tables),
// junit.xml (one testcase per scenario), report.html (one self-contained page
// of inline SVG), bench.json (the costs in Google Benchmark's JSON format) and,
// on GitHub Actions, "::error" annotations and the step summary.
//
//   Result<nlohmann::json> doc = LoadResultsForReport("out/results.json");
//   Status st = WriteReports(*doc, "out", ReportEnvFromProcess(), std::cout);
//
// Every file is written whole (WriteFileAtomic): a reader sees the previous
// report or the new one, never a mix. The step summary is the one file
// appended to, since it is GitHub's and holds other steps' text.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "harness/base/status.h"
#include "results/report_model.h"

namespace crashbench {

// GitHub refuses a step summary over 1 MiB.
inline constexpr size_t kStepSummaryLimit = 1024 * 1024;
inline constexpr int kMaxAnnotations = 10;

std::string RenderSummaryMarkdown(const nlohmann::json& results);
std::string RenderJunitXml(const nlohmann::json& results);
std::string RenderReportHtml(const nlohmann::json& results);
std::string RenderBenchmarkJson(const nlohmann::json& results);
// GitHub workflow commands: one "::error" line per scenario whose expectation
// failed or that hit a harness error, at most `max`, then "... and N more".
std::string RenderGithubAnnotations(const nlohmann::json& results, int max = kMaxAnnotations);

// Appends text to the step summary file at path, keeping the file at most
// `limit` bytes: text that does not fit is cut at a line and ends with a note
// that says so and where the whole summary is (full_path). Never overwrites.
Status AppendStepSummary(const std::string& path, const std::string& text,
                         const std::string& full_path, size_t limit = kStepSummaryLimit);

// What the environment asks of the reports (GITHUB_ACTIONS, GITHUB_STEP_SUMMARY).
struct ReportEnv {
  bool github_actions = false;
  std::string step_summary;  // "" when not set
};
ReportEnv ReportEnvFromProcess();

// Writes summary.md, junit.xml, report.html and bench.json into dir; then, as
// env says, appends summary.md to the step summary (a step summary that is
// full is a warning on stderr) and prints annotations to out. Returns the
// first error writing a report; the other files are still attempted.
Status WriteReports(const nlohmann::json& results, const std::string& dir, const ReportEnv& env,
                    std::ostream& out);

// For `crashbench run`: reports from the results file it just wrote, into the
// same directory; prints where they went, or a warning (never fails the run).
void WriteRunReports(const std::string& results_path, const std::string& dir, std::ostream& out);

}  // namespace crashbench
