// The integrity table, scenario x fault: the one cell text and legend every
// form shows, the grid, the wide form, and which form a stream gets (the
// narrow form is results/table_narrow.cc). Declared in results/results.h.
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iomanip>
#include <sstream>

#include "results/results.h"

namespace crashbench {
namespace {

std::vector<std::string> WorstKinds(const std::vector<TrialResult>& trials, size_t max) {
  std::map<std::string, int> hits;
  for (const TrialResult& t : trials) {
    for (const auto& [kind, n] : t.counts) {
      auto k = AnomalyFromName(kind);
      if (k && IsViolation(*k) && n > 0) hits[kind]++;
    }
  }
  std::vector<std::pair<int, std::string>> v;
  for (const auto& [k, n] : hits) v.emplace_back(-n, k);
  std::sort(v.begin(), v.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < v.size() && i < max; ++i) out.push_back(v[i].second);
  return out;
}

// The target a fault label leaves unsaid: one worker, or a syscall trigger's caller.
FaultTarget UsualTarget(const FaultSpec& f) {
  return f.trigger.type == TriggerType::kSyscall ? FaultTarget::kCaller : FaultTarget::kWorker;
}

// Power loss: " [289/342 states]", crash states with a violation / checked,
// summed over the trials, and how many trials were inconclusive; "" otherwise.
std::string CrashStatesCell(const std::vector<TrialResult>& trials) {
  long long violating = 0, checked = 0;
  int inconclusive = 0;
  for (const TrialResult& t : trials) {
    inconclusive += t.inconclusive;
    if (!t.crash_states.is_object()) continue;
    violating += t.crash_states.value("violating", 0LL);
    checked += t.crash_states.value("checked", 0LL);
  }
  if (checked == 0 && inconclusive == 0) return "";
  std::string s = " [" + std::to_string(violating) + "/" + std::to_string(checked) + " states";
  if (inconclusive) s += ", " + std::to_string(inconclusive) + " inconclusive";
  return s + "]";
}

}  // namespace

std::string TableCell(const ScenarioResult& sr) {
  std::string cell;
  if (!sr.error.empty()) {
    cell = "error";
  } else {
    int bad = 0, errors = 0;
    for (const TrialResult& t : sr.trials) {
      bad += t.violations() > 0;
      errors += !t.error.empty();
    }
    cell = std::to_string(bad) + "/" + std::to_string(sr.trials.size());
    if (errors) cell += " (" + std::to_string(errors) + " harness errors)";
    std::vector<std::string> worst = WorstKinds(sr.trials, 2);
    for (size_t i = 0; i < worst.size(); ++i) cell += (i ? "," : " ") + worst[i];
    cell += CrashStatesCell(sr.trials);
    if (sr.scenario.fault.target != UsualTarget(sr.scenario.fault))
      cell += " (" + std::string(FaultTargetName(sr.scenario.fault.target)) + ")";
    if (!sr.expectation_held())
      cell += " !";
    else if (!sr.not_shown().empty())
      cell += " ?";
  }
  return cell;
}

std::string TableLegend() {
  return "cells: trials with violations / trials, then the violation kinds seen most; "
         "'!' marks a broken guarantee (a forbidden kind appeared), '?' a demonstration not "
         "shown this time (not a failure)";
}

TableGrid BuildTableGrid(const RunOutcome& outcome) {
  // Rows: strategy (with options when not the defaults of the first row); columns: fault label.
  TableGrid grid;
  std::vector<std::string>& rows = grid.rows;
  std::vector<std::string>& cols = grid.cols;
  for (const ScenarioResult& sr : outcome.scenarios) {
    // A row per scenario name, less its fault part ("naive/sigkill@random" -> "naive"),
    // so that the built-in matrix folds into strategy x fault.
    std::string row = sr.scenario.name;
    if (size_t slash = row.find('/'); slash != std::string::npos) row = row.substr(0, slash);
    // Columns are kind@trigger; a target other than one worker is said in the cell.
    FaultSpec untargeted = sr.scenario.fault;
    untargeted.target = UsualTarget(sr.scenario.fault);
    std::string col = FaultLabel(untargeted);
    if (grid.cells.count({row, col})) row = sr.scenario.name;
    if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(row);
    if (std::find(cols.begin(), cols.end(), col) == cols.end()) cols.push_back(col);
    grid.cells[{row, col}] = TableCell(sr);
  }
  return grid;
}

std::string RenderTable(const RunOutcome& outcome, TableForm form, size_t width) {
  TableGrid grid = BuildTableGrid(outcome);
  if (form == TableForm::kNarrow) return RenderNarrowTable(grid, width);
  const std::vector<std::string>& rows = grid.rows;
  const std::vector<std::string>& cols = grid.cols;
  auto& cells = grid.cells;
  size_t w0 = 8;
  for (const auto& r : rows) w0 = std::max(w0, r.size());
  std::vector<size_t> widths;
  for (const auto& c : cols) {
    size_t w = c.size();
    for (const auto& r : rows) w = std::max(w, cells[{r, c}].size());
    widths.push_back(w);
  }
  std::ostringstream out;
  out << std::left << std::setw(static_cast<int>(w0)) << "scenario";
  for (size_t i = 0; i < cols.size(); ++i)
    out << "  " << std::setw(static_cast<int>(widths[i])) << cols[i];
  out << "\n";
  for (const auto& r : rows) {
    out << std::setw(static_cast<int>(w0)) << r;
    for (size_t i = 0; i < cols.size(); ++i)
      out << "  " << std::setw(static_cast<int>(widths[i])) << cells[{r, cols[i]}];
    out << "\n";
  }
  out << TableLegend() << "\n";
  return out.str();
}

namespace {

size_t TerminalColumns(int fd) {
  struct winsize ws {};
  if (::isatty(fd) && ::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    char* end = nullptr;
    const long n = std::strtol(columns, &end, 10);
    if (end != columns && *end == '\0' && n > 0) return static_cast<size_t>(n);
  }
  return 100;
}

size_t LongestLine(const std::string& text) {
  size_t longest = 0, at = 0;
  for (size_t nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1)
    longest = std::max(longest, nl - at);
  return std::max(longest, text.size() - at);
}

}  // namespace

std::string RenderTableFor(const RunOutcome& outcome, std::string_view asked, int fd) {
  const size_t width = TerminalColumns(fd);
  if (asked == "narrow") return RenderTable(outcome, TableForm::kNarrow, width);
  std::string wide = RenderTable(outcome);
  if (asked == "auto" && ::isatty(fd) && LongestLine(wide) > width)
    return RenderTable(outcome, TableForm::kNarrow, width);
  return wide;
}

}  // namespace crashbench
