// The results file (schema_version 1, see DESIGN.md and results/SCHEMA.md) and
// the console table, both built from one RunOutcome.
#pragma once

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/run/runner.h"

namespace crashbench {

inline constexpr int kResultsSchemaVersion = 1;

struct ReplayInfo {
  std::string scenario_file;  // "" for the built-in matrix
  bool quick = false;         // the built-in matrix was the --quick one
  bool explore = false;       // trials were enumerated with --explore
  std::string overrides;  // command-line overrides in effect ("--trials 4 --start-method spawn")
  // For commands that work from any directory: this binary, the results file
  // being written and --scratch, each absolute ("" when not known or not given).
  std::string self_exe;
  std::string results_path;
  std::string scratch_parent;
};

// A word for a shell command line: as is when it needs no quoting, else in
// single quotes ('\'' for a quote inside).
std::string ShellQuote(const std::string& s);
// path made absolute against the current directory, normalised ("" stays "").
std::string AbsolutePath(const std::string& path);

nlohmann::json MachineContext(const RunOutcome& outcome);
// The results document, streamed trial by trial (spilled trials are read back
// from outcome.spill_path one at a time).
Status WriteResults(FILE* out, const RunOutcome& outcome, const ReplayInfo& replay);
// WriteResults into path with write-temp, fsync, rename, directory fsync.
Status WriteResultsFile(const std::string& path, const RunOutcome& outcome,
                        const ReplayInfo& replay);
// The one command that reruns trial `index` of the scenario, keeping its
// directory: `/abs/crashbench run /abs/file.json --scenario NAME --trial I
// --keep [--scratch DIR]`, runnable from any directory. Stored as each trial's
// "replay" in results.json.
std::string ReplayCommand(const ScenarioResult& sr, int index, const ReplayInfo& replay);
// `/abs/crashbench replay /abs/results.json --trial NAME:I [--scratch DIR]`:
// the same trial from the results file, with the damaged bytes shown.
std::string ReplayFromResultsCommand(const ScenarioResult& sr, int index, const ReplayInfo& replay);

// A scenario's "summary" object: counts, expectation, error, calibration.
nlohmann::json ScenarioSummary(const ScenarioResult& sr);

// The integrity table, scenario x fault: a row per scenario less its fault
// part ("naive/sigkill@random" -> "naive"), a column per fault label, and in
// each cell TableCell of that scenario.
struct TableGrid {
  std::vector<std::string> rows, cols;  // in the order the scenarios name them
  std::map<std::pair<std::string, std::string>, std::string> cells;  // {row, col}: cell
};
TableGrid BuildTableGrid(const RunOutcome& outcome);
// "trials with violations / trials", the worst kinds and the marks; the one
// cell text every form of the table shows.
std::string TableCell(const ScenarioResult& sr);
// What a cell says, one line; every form of the table ends with it.
std::string TableLegend();

// Wide: one line a row, as wide as the cells make it (for files and wide
// terminals). Narrow: no line longer than `width` columns (table_narrow.cc).
enum class TableForm { kWide, kNarrow };
std::string RenderTable(const RunOutcome& outcome, TableForm form = TableForm::kWide,
                        size_t width = 100);
std::string RenderNarrowTable(const TableGrid& grid, size_t width);
// The table as the stream `fd` shows it best. `asked`: "wide" or "narrow" as
// said; "auto" narrow when fd is a terminal narrower than the wide table, so a
// file or a pipe gets the wide form. Narrow fits the terminal, else $COLUMNS,
// else 100 columns.
std::string RenderTableFor(const RunOutcome& outcome, std::string_view asked, int fd);
inline constexpr std::string_view kTableFormNames = "auto, wide, narrow";
// One line per trial whose expectation failed, with its replay command (at most
// `max`); a line per scenario whose demonstration (expect.show) did not show
// this time; last, the run's verdict line (results/verdict.h).
std::string RenderFailures(const RunOutcome& outcome, const ReplayInfo& replay, int max);

// Exit code for a run, as DESIGN.md says: 2 input error, 1 a guarantee broke
// (a kind of expect.forbid appeared), 3 the harness failed or the run was
// interrupted, else 0. A demonstration not shown (expect.show) is reported,
// never a failure.
int RunExitCode(const RunOutcome& outcome);

}  // namespace crashbench
