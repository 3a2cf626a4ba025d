// The json oracle: every file the globs match holds exactly one JSON
// document, as `json.load(open(path))` would take it.
//   torn     the file is a strict prefix of a JSON text: empty, or the writer
//            stopped mid-document (offset: where the bytes stop);
//   corrupt  anything else a parser refuses, bytes after the document
//            included (offset: the offending byte);
//   lost-acked / lost-unacked  a file the scenario names literally is missing,
//            or fewer than `count` documents are there (lost-acked when the
//            run exited 0: it claimed to have written them).
#include "harness/oracle/oracle_internal.h"

namespace crashbench::oracle_internal {
namespace {

void JudgeDocument(const std::string& path, const std::string& bytes, OracleReport* report,
                   Tally* tally) {
  const JsonCheck check = CheckJsonText(bytes);
  if (check.outcome == JsonCheck::kValid) {
    ++tally->valid;
    return;
  }
  ++tally->damaged;
  const size_t at = check.error_index;
  Anomaly a{AnomalyKind::kTorn,  path, static_cast<long long>(at), LineOf(bytes, at), -1, -1,
            ExcerptAt(bytes, at)};
  if (check.outcome == JsonCheck::kCutShort) {
    a.detail = bytes.empty() ? std::string("an empty file where a JSON document belongs")
               : bytes.find_first_not_of(" \t\r\n") == std::string::npos
                   ? "only whitespace where a JSON document belongs"
                   : "an incomplete JSON document: cut short after " +
                         std::to_string(bytes.size()) + " bytes";
  } else {
    a.kind = AnomalyKind::kCorrupt;
    const size_t line_start = at == 0 ? 0 : bytes.rfind('\n', at - 1) + 1;  // npos + 1 == 0
    a.detail = "invalid JSON at line " + std::to_string(a.line) + ", column " +
               std::to_string(at - line_start + 1) + ": " + check.message;
  }
  report->anomalies.push_back(std::move(a));
}

}  // namespace

Result<OracleReport> RunJsonOracle(const OracleSpec& spec, const OracleInput& input) {
  OracleReport report;
  Tally tally;
  Result<long long> missing = JudgeFiles(spec, input, JudgeDocument, &report, &tally);
  if (!missing.ok()) return missing.status();
  // A missing file is one document, already reported as lost.
  ReportShortfall(spec, input, tally, *missing, "documents", &report);
  report.records_visible = tally.valid;
  return report;
}

}  // namespace crashbench::oracle_internal
