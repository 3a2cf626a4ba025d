#include "results/chart.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "results/costs.h"

namespace crashbench {
namespace {

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string RenderCostChartSvg(const RunOutcome& outcome, const std::string& title) {
  std::vector<CostBar> bars;
  for (const ScenarioResult& sr : outcome.scenarios) {
    auto it = outcome.limits.find(WorkloadKey(sr.scenario.workload));
    auto c = ComputeCosts(sr, it == outcome.limits.end() ? nullptr : &it->second);
    if (!c) continue;
    bars.push_back({sr.scenario.name, c->records_per_s, c->records_per_s_min, c->records_per_s_max,
                    c->limit_records_per_s, c->limit_name});
  }
  return RenderCostBarsSvg(bars, title);
}

std::string RenderCostBarsSvg(const std::vector<CostBar>& bars, const std::string& title) {
  // The scale follows the bars. A limit far above them (a raw write loop is
  // often 100x a strategy) would flatten every bar, so one more than three
  // times the tallest bar is drawn off scale: dashed at the top, its value said.
  double max_value = 1;
  for (const CostBar& b : bars) max_value = std::max({max_value, b.max, b.median});
  const double bars_max = max_value;
  for (const CostBar& b : bars)
    if (b.limit <= 3 * bars_max) max_value = std::max(max_value, b.limit);
  // Labels run down at 60 degrees: about 6 px a character at 11 px, of which
  // sin(60) goes down and cos(60) goes right.
  size_t longest = 0;
  for (const CostBar& b : bars) longest = std::max(longest, b.label.size());
  const int bar_w = 36, gap = 18, left = 80, top = 40, height = 300;
  const int label_h = 30 + static_cast<int>(longest) * 6 * 87 / 100;
  const int width = std::max(
      left + static_cast<int>(bars.size()) * (bar_w + gap) + 40 + static_cast<int>(longest) * 3,
      left + static_cast<int>(title.size()) * 8);  // the title never clipped
  std::ostringstream svg;
  // The viewBox lets a page scale the drawing down (max-width) instead of clipping it.
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\""
      << top + height + label_h << "\" viewBox=\"0 0 " << width << " " << top + height + label_h
      << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  svg << "<text x=\"" << left << "\" y=\"20\" font-size=\"14\">" << Escape(title) << "</text>\n";
  auto y_of = [&](double v) { return top + height - static_cast<int>(height * v / max_value); };
  for (int i = 0; i <= 4; ++i) {
    const double v = max_value * i / 4;
    char label[32];
    if (max_value >= 1e6)
      std::snprintf(label, sizeof label, "%.1fM", v / 1e6);
    else if (max_value >= 1e4)
      std::snprintf(label, sizeof label, "%.0fk", v / 1e3);
    else if (max_value >= 1e3)
      std::snprintf(label, sizeof label, "%.1fk", v / 1e3);
    else
      std::snprintf(label, sizeof label, "%.0f", v);
    svg << "<line x1=\"" << left << "\" x2=\""
        << left + static_cast<int>(bars.size()) * (bar_w + gap) << "\" y1=\"" << y_of(v)
        << "\" y2=\"" << y_of(v) << "\" stroke=\"#ddd\"/><text x=\"" << left - 6 << "\" y=\""
        << y_of(v) + 4 << "\" text-anchor=\"end\">" << label << "</text>\n";
  }
  svg << "<text x=\"14\" y=\"" << top + height / 2 << "\" transform=\"rotate(-90 14 "
      << top + height / 2
      << ")\" text-anchor=\"middle\">records/s (median; whiskers min-max; red: machine "
         "limit)</text>\n";
  for (size_t i = 0; i < bars.size(); ++i) {
    const CostBar& c = bars[i];
    const int x = left + gap / 2 + static_cast<int>(i) * (bar_w + gap);
    svg << "<rect x=\"" << x << "\" y=\"" << y_of(c.median) << "\" width=\"" << bar_w
        << "\" height=\"" << top + height - y_of(c.median)
        << "\" fill=\"#4a78b5\" class=\"cost-bar\"><title>" << Escape(bars[i].label) << ": "
        << static_cast<long long>(c.median) << " records/s</title></rect>\n";
    const int mid = x + bar_w / 2;
    svg << "<line x1=\"" << mid << "\" x2=\"" << mid << "\" y1=\"" << y_of(c.min) << "\" y2=\""
        << y_of(c.max) << "\" stroke=\"#222\"/>\n";
    if (c.limit > 0) {
      const bool off_scale = c.limit > max_value;
      const int y = off_scale ? top : y_of(c.limit);
      svg << "<line x1=\"" << x - 4 << "\" x2=\"" << x + bar_w + 4 << "\" y1=\"" << y << "\" y2=\""
          << y << "\" stroke=\"#c0392b\" stroke-width=\"2\" class=\"limit-line\""
          << (off_scale ? " stroke-dasharray=\"4 2\"" : "") << "><title>" << Escape(c.limit_name)
          << ": " << static_cast<long long>(c.limit) << " records/s"
          << (off_scale ? " (off scale)" : "") << "</title></line>\n";
      if (off_scale && c.median > 0)
        svg << "<text x=\"" << mid << "\" y=\"" << top - 4
            << "\" text-anchor=\"middle\" fill=\"#c0392b\">&#8593;"
            << static_cast<long long>(c.limit / c.median) << "x</text>\n";
    }
    svg << "<text transform=\"translate(" << mid << "," << top + height + 8 << ") rotate(60)\">"
        << Escape(bars[i].label) << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace crashbench
