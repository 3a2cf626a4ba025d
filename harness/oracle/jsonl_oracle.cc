// The jsonl oracle: every line of every file the globs match is one JSON
// value, as `for line in f: json.loads(line)` would take it.
//   torn     a line that is a strict prefix of a JSON text: a writer stopped
//            mid-record (the file's last line without its newline, or a cut
//            record another write then ended); offset: the line's start;
//   corrupt  any other line a parser refuses (glued or interleaved records,
//            garbage, an empty line: json.loads raises on it); offset: the
//            offending byte;
//   lost-acked / lost-unacked  a file the scenario names literally is
//            missing, or fewer than `count` lines are there in all (lost-acked
//            when the run exited 0).
// A last line without its newline that parses is taken, as readers take it.
#include "harness/oracle/oracle_internal.h"

namespace crashbench::oracle_internal {
namespace {

void JudgeLine(const std::string& path, std::string_view bytes, size_t start, size_t end,
               long long line_no, OracleReport* report, Tally* tally) {
  const std::string_view line = bytes.substr(start, end - start);
  const bool ends_file = end == bytes.size();  // no newline after it
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
    ++tally->damaged;
    report->anomalies.push_back(Anomaly{
        AnomalyKind::kCorrupt, path, static_cast<long long>(start), line_no, -1, -1,
        ExcerptAt(bytes, start),
        line.empty() ? "an empty line: a line-by-line reader's json.loads raises on it"
                     : "a line of only whitespace: a line-by-line reader's json.loads raises on it",
        static_cast<long long>(end)});
    return;
  }
  const JsonCheck check = CheckJsonText(line);
  if (check.outcome == JsonCheck::kValid) {
    ++tally->valid;
    return;
  }
  ++tally->damaged;
  Anomaly a{AnomalyKind::kTorn,     path, static_cast<long long>(start), line_no, -1, -1,
            ExcerptAt(bytes, start)};
  a.end = static_cast<long long>(end);
  if (check.outcome == JsonCheck::kCutShort) {
    a.detail = "line " + std::to_string(line_no) + " is cut short after " +
               std::to_string(line.size()) + " bytes" +
               (ends_file ? ": the file ends inside it" : ", then the line ends");
  } else {
    a.kind = AnomalyKind::kCorrupt;
    a.offset = static_cast<long long>(start + check.error_index);
    a.excerpt = ExcerptAt(bytes, start + check.error_index);
    a.detail = "invalid JSON at line " + std::to_string(line_no) + ", column " +
               std::to_string(check.error_index + 1) + ": " + check.message;
  }
  report->anomalies.push_back(std::move(a));
}

void JudgeLines(const std::string& path, const std::string& bytes, OracleReport* report,
                Tally* tally) {
  long long line_no = 1;
  for (size_t start = 0; start < bytes.size(); ++line_no) {
    size_t nl = bytes.find('\n', start);
    const size_t end = nl == std::string::npos ? bytes.size() : nl;
    JudgeLine(path, bytes, start, end, line_no, report, tally);
    start = nl == std::string::npos ? bytes.size() : nl + 1;
  }
}

}  // namespace

Result<OracleReport> RunJsonlOracle(const OracleSpec& spec, const OracleInput& input) {
  OracleReport report;
  Tally tally;
  Result<long long> missing = JudgeFiles(spec, input, JudgeLines, &report, &tally);
  if (!missing.ok()) return missing.status();
  // How many lines a missing file held is unknown: its own anomaly stands for
  // them, and a shortfall is counted only when no named file is missing.
  if (*missing == 0) ReportShortfall(spec, input, tally, 0, "lines", &report);
  report.records_visible = tally.valid;
  return report;
}

}  // namespace crashbench::oracle_internal
