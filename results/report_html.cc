// report.html: one self-contained page, nothing fetched (a Content Security
// Policy forbids it), no script. Inline SVG: the scenario x fault heat map of
// violation rates, the cost bars with each matching machine limit, the stage
// breakdown as stacked bars; then every failing trial with where the damage
// is and the command that replays it.
#include <algorithm>
#include <sstream>

#include "harness/base/stage_clock.h"
#include "results/chart.h"
#include "results/report.h"

namespace crashbench {
namespace {

using nlohmann::json;

std::string H(const std::string& s) { return XmlEscape(s, true); }

constexpr size_t kMaxFailingTrialsShown = 200;

// White-green for no violation, then light to dark red with the rate.
std::string HeatColor(double rate) {
  if (rate <= 0) return "#e3f2e5";
  auto mix = [&](int a, int b) { return static_cast<int>(a + (b - a) * rate); };
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", mix(0xfc, 0xa5), mix(0xd5, 0x1a),
                mix(0xce, 0x1a));
  return buf;
}

std::string HeatMapSvg(const ReportModel& m) {
  size_t longest_row = 8, longest_col = 4;
  for (const std::string& r : m.rows) longest_row = std::max(longest_row, r.size());
  for (const std::string& c : m.cols) longest_col = std::max(longest_col, c.size());
  const int cell_w = 112, cell_h = 38;
  const int left = 16 + static_cast<int>(longest_row) * 7;
  const int top = 24 + static_cast<int>(longest_col) * 6 * 57 / 100;  // labels at -35 degrees
  const int width =
      left + static_cast<int>(m.cols.size()) * cell_w + static_cast<int>(longest_col) * 4;
  const int height = top + static_cast<int>(m.rows.size()) * cell_h + 8;
  std::ostringstream svg;
  // The viewBox lets the page scale the map down (max-width) instead of clipping it.
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"heatmap\" width=\"" << width
      << "\" height=\"" << height << "\" viewBox=\"0 0 " << width << " " << height
      << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  for (size_t c = 0; c < m.cols.size(); ++c) {
    const int x = left + static_cast<int>(c) * cell_w + cell_w / 2;
    svg << "<text transform=\"translate(" << x << "," << top - 6 << ") rotate(-35)\">"
        << H(m.cols[c]) << "</text>\n";
  }
  for (size_t r = 0; r < m.rows.size(); ++r) {
    const int y = top + static_cast<int>(r) * cell_h;
    svg << "<text x=\"" << left - 8 << "\" y=\"" << y + cell_h / 2 + 4 << "\" text-anchor=\"end\">"
        << H(m.rows[r]) << "</text>\n";
    for (size_t c = 0; c < m.cols.size(); ++c) {
      const ScenarioView* s = m.At(m.rows[r], m.cols[c]);
      if (!s) continue;
      const int x = left + static_cast<int>(c) * cell_w;
      const double rate = s->ViolationRate();
      const bool error = !s->error.empty();
      const bool bad = s->failed() || s->has_harness_error();
      std::string tip = s->name + ": " + std::to_string(s->with_violations) + " of " +
                        std::to_string(s->trials) + " trials with violations";
      for (size_t i = 0; i < s->worst_kinds.size(); ++i)
        tip += (i ? ", " : " (") + s->worst_kinds[i];
      if (!s->worst_kinds.empty()) tip += ")";
      if (s->failed()) tip += "; expectation FAILED";
      if (!s->not_shown.empty()) tip += "; demonstration not shown this time";
      if (s->has_harness_error()) tip += "; harness errors";
      svg << "<g><rect class=\"heat-cell\" data-rate=\"" << Fixed(rate, 3) << "\" x=\"" << x + 1
          << "\" y=\"" << y + 1 << "\" width=\"" << cell_w - 2 << "\" height=\"" << cell_h - 2
          << "\" fill=\"" << (error ? "#9e9e9e" : HeatColor(rate)) << "\""
          << (bad ? " stroke=\"#000\" stroke-width=\"3\"" : "") << "><title>" << H(tip)
          << "</title></rect>\n";
      const char* ink = rate > 0.55 || error ? "#fff" : "#222";
      std::string line1 =
          error ? "error" : std::to_string(s->with_violations) + "/" + std::to_string(s->trials);
      if (s->failed()) line1 += " !";
      svg << "<text x=\"" << x + cell_w / 2 << "\" y=\"" << y + 16
          << "\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"" << ink << "\">" << H(line1)
          << "</text>\n";
      std::string line2 = s->worst_kinds.empty() ? "" : s->worst_kinds.front();
      if (s->worst_kinds.size() > 1) line2 += ", ...";
      if (!s->target.empty()) line2 += " (" + s->target + ")";
      svg << "<text x=\"" << x + cell_w / 2 << "\" y=\"" << y + 30
          << "\" text-anchor=\"middle\" font-size=\"9\" fill=\"" << ink << "\">" << H(line2)
          << "</text></g>\n";
    }
  }
  svg << "</svg>\n";
  return svg.str();
}

const char* const kStageColors[] = {"#4a78b5", "#f39c12", "#27ae60",
                                    "#8e44ad", "#16a085", "#c0392b"};

std::string StagesSvg(const ReportModel& m) {
  struct Row {
    std::string label;
    std::array<double, kNumStages> ms{};
    double total = 0;
  };
  std::vector<Row> rows;
  double max_total = 0;
  size_t longest = 8;
  for (const ScenarioView& s : m.scenarios) {
    if (s.costs.is_null() || !s.costs.contains("stages_ms")) continue;
    Row r{s.name, {}, 0};
    for (int i = 0; i < kNumStages; ++i) {
      r.ms[static_cast<size_t>(i)] =
          s.costs["stages_ms"].value(std::string(StageName(static_cast<Stage>(i))), 0.0);
      r.total += r.ms[static_cast<size_t>(i)];
    }
    max_total = std::max(max_total, r.total);
    longest = std::max(longest, r.label.size());
    rows.push_back(std::move(r));
  }
  if (rows.empty()) return "";
  const int left = 16 + static_cast<int>(longest) * 7, bar_max = 560, row_h = 24, top = 34;
  std::ostringstream svg;
  const int svg_w = left + bar_max + 90, svg_h = top + static_cast<int>(rows.size()) * row_h + 10;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"stages\" width=\"" << svg_w
      << "\" height=\"" << svg_h << "\" viewBox=\"0 0 " << svg_w << " " << svg_h
      << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  for (int i = 0; i < kNumStages; ++i)  // legend
    svg << "<rect x=\"" << left + i * 95 << "\" y=\"6\" width=\"12\" height=\"12\" fill=\""
        << kStageColors[i] << "\"/><text x=\"" << left + i * 95 + 16 << "\" y=\"16\">"
        << StageName(static_cast<Stage>(i)) << "</text>\n";
  for (size_t r = 0; r < rows.size(); ++r) {
    const int y = top + static_cast<int>(r) * row_h;
    svg << "<text x=\"" << left - 8 << "\" y=\"" << y + 14 << "\" text-anchor=\"end\">"
        << H(rows[r].label) << "</text>\n";
    double x = left;
    for (int i = 0; i < kNumStages; ++i) {
      const double ms = rows[r].ms[static_cast<size_t>(i)];
      const double w = max_total > 0 ? bar_max * ms / max_total : 0;
      if (w <= 0) continue;
      svg << "<rect class=\"stage-seg\" x=\"" << Fixed(x, 1) << "\" y=\"" << y << "\" width=\""
          << Fixed(w, 1) << "\" height=\"" << row_h - 6 << "\" fill=\"" << kStageColors[i]
          << "\"><title>" << H(rows[r].label) << ": " << StageName(static_cast<Stage>(i)) << " "
          << Fixed(ms, 2) << " ms</title></rect>\n";
      x += w;
    }
    svg << "<text x=\"" << Fixed(x + 6, 1) << "\" y=\"" << y + 14 << "\">"
        << Fixed(rows[r].total, 1) << " ms</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

std::string CostsSection(const ReportModel& m) {
  std::vector<CostBar> bars;
  std::ostringstream table;
  table << "<table class=\"costs\"><tr><th>scenario</th><th>records/s (min-max)</th><th>MB/s</th>"
           "<th>task ms p50/p95/p99</th><th>ser+ipc</th><th>limit</th><th>of limit</th></tr>\n";
  for (const ScenarioView& s : m.scenarios) {
    if (s.costs.is_null()) continue;
    const json& c = s.costs;
    const json spread = c.value("spread", json::object());
    const json limit = c.value("limit", json::object());
    CostBar b{s.name,
              c.value("records_per_s", 0.0),
              spread.value("min", 0.0),
              spread.value("max", 0.0),
              limit.value("records_per_s", 0.0),
              limit.value("name", std::string())};
    bars.push_back(b);
    table << "<tr><td>" << H(s.name) << "</td><td>" << HumanNumber(b.median) << " ("
          << HumanNumber(b.min) << "-" << HumanNumber(b.max) << ")"
          << (c.value("noisy", false) ? " ~" : "") << "</td><td>"
          << Fixed(c.value("bytes_per_s", 0.0) / 1e6, 1) << "</td><td>" << LatencyCell(c)
          << "</td><td>" << SerializationCell(c) << "</td><td>" << H(b.limit_name) << " "
          << HumanNumber(b.limit) << "/s</td><td>"
          << (b.limit > 0 ? Fixed(c.value("fraction_of_limit", 0.0), 2) : "-") << "</td></tr>\n";
  }
  table << "</table>\n";
  if (bars.empty())
    return "<p class=\"none\">No fault-free scenario in this run: no costs measured.</p>\n";
  return "<figure>" + RenderCostBarsSvg(bars, "records/s of each fault-free scenario") +
         "<figcaption>Median of the fault-free trials, whiskers min-max; red: the matching machine "
         "limit measured "
         "in the same run (dashed at the top when it is far above the bars: the arrow says how "
         "many times the "
         "median).</figcaption></figure>\n" +
         table.str();
}

std::string FailuresSection(const ReportModel& m) {
  std::ostringstream out;
  size_t shown = 0, hidden = 0;
  for (const ScenarioView& s : m.scenarios) {
    if (!s.failed() && !s.has_harness_error()) continue;
    out << "<article class=\"failing-scenario\"><h3>" << H(s.name) << " <small>" << H(s.strategy)
        << ", " << H(s.fault_label) << "</small></h3>\n";
    if (!s.error.empty()) out << "<p class=\"error\">scenario error: " << H(s.error) << "</p>\n";
    std::string seen;
    for (const auto& [kind, n] : s.forbidden_seen)
      (seen += seen.empty() ? "" : ", ") +=
          kind + " in " + std::to_string(n) + " of " + std::to_string(s.trials) + " trials";
    if (!seen.empty()) out << "<p>Forbidden anomalies seen: " << H(seen) << ".</p>\n";
    for (const FailingTrial& f : s.failing) {
      if (++shown > kMaxFailingTrialsShown) {
        ++hidden;
        continue;
      }
      out << "<div class=\"failing-trial\"><p><b>trial " << f.index
          << "</b>: " << H(f.error.empty() ? f.forbidden : "harness error: " + f.error)
          << (f.others.empty() ? "" : " <span class=\"also\">(also " + H(f.others) + ")</span>")
          << "</p>\n"
          << "<pre class=\"replay\"><code>" << H(f.replay) << "</code></pre>\n";
      if (!f.details.empty()) {
        out << "<details><summary>" << f.details.size()
            << " anomalies: where and what</summary><pre class=\"excerpt\">";
        for (const json& d : f.details)
          if (d.is_object()) out << H(DetailLine(d, ""));
        out << "</pre></details>\n";
      }
      out << "</div>\n";
    }
    hidden += static_cast<size_t>(s.failing_total) - s.failing.size();
    out << "</article>\n";
  }
  if (shown == 0) return "<p class=\"none\">No failing trial.</p>\n";
  if (hidden) out << "<p>" << hidden << " more failing trials are in results.json.</p>\n";
  return out.str();
}

// Demonstrations (expect.show) that did not show this time: said, not failed.
std::string NotShownSection(const ReportModel& m) {
  std::ostringstream out;
  for (const ScenarioView& s : m.scenarios) {
    if (s.not_shown.empty()) continue;
    std::string kinds;
    for (const std::string& k : s.not_shown) (kinds += kinds.empty() ? "" : ", ") += k;
    out << "<li><b>" << H(s.name) << "</b>: " << H(kinds) << " in none of " << s.trials
        << " trials: not shown this time (a demonstration, not a failure)</li>\n";
  }
  const std::string items = out.str();
  return items.empty() ? ""
                       : "<section id=\"not-shown\"><h2>Demonstrations not shown this "
                         "time</h2>\n<ul>\n" +
                             items + "</ul></section>\n";
}

constexpr const char* kStyle =
    R"(body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1400px}
h1{font-size:1.5em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}
.context{color:#555}.interrupted{color:#b71c1c;font-weight:bold}
table.costs{border-collapse:collapse;font-size:.9em}table.costs td,table.costs th{border:1px solid #ddd;padding:.25em .6em;text-align:right}
table.costs td:first-child,table.costs th:first-child{text-align:left}
pre{background:#f6f8fa;padding:.5em;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.failing-trial{border-left:4px solid #b71c1c;padding-left:.8em;margin:.6em 0}.also{color:#666}
figure{margin:0}figcaption,.legend{color:#555;font-size:.9em}svg{max-width:100%;height:auto})";

}  // namespace

std::string RenderReportHtml(const json& results) {
  const ReportModel m = BuildReportModel(results);
  const std::string headline = VerdictHeadline(m.Verdicts());
  std::string context = "crashbench " + m.tool.value("version", std::string("?")) + " (" +
                        m.tool.value("git_sha", std::string("?")) + ")";
  for (const char* key : {"host_name", "cpu", "kernel", "fs_type", "date"})
    if (m.context.contains(key) && m.context[key].is_string())
      context += " · " + m.context[key].get<std::string>();
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
         "'unsafe-inline'; "
         "img-src data:\">\n"
      << "<link rel=\"icon\" href=\"data:,\">\n<title>crashbench: " << H(headline)
      << "</title>\n<style>" << kStyle << "</style></head>\n<body>\n<h1>crashbench: " << H(headline)
      << "</h1>\n<p class=\"context\">" << H(context) << "</p>\n";
  if (m.interrupted)
    out << "<p class=\"interrupted\">The run was interrupted: only finished trials are "
           "counted.</p>\n";
  out << "<section id=\"integrity\"><h2>Integrity: scenario x fault</h2>\n"
      << HeatMapSvg(m)
      << "<p class=\"legend\">Each cell: trials with violations / trials, and the violation kind "
         "seen most; red "
         "deepens with the share of trials with violations. A black border marks a failed "
         "expectation or a harness "
         "error; '!' a broken guarantee (a forbidden kind appeared), '?' a demonstration not "
         "shown this time (not a failure). Hover a cell for details.</p></section>\n"
      << NotShownSection(m);
  out << "<section id=\"costs\"><h2>Costs</h2>\n" << CostsSection(m) << "</section>\n";
  if (std::string stages = StagesSvg(m); !stages.empty())
    out << "<section id=\"stages\"><h2>Where the time went</h2>\n"
        << stages
        << "<p class=\"legend\">Each stage: its median over the fault-free trials, summed over "
           "workers (so a bar can "
           "exceed the wall time).</p></section>\n";
  out << "<section id=\"failures\"><h2>Failing trials</h2>\n"
      << FailuresSection(m) << "</section>\n</body></html>\n";
  return out.str();
}

}  // namespace crashbench
