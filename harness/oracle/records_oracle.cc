// The records oracle: the output is written to the record contract (by a
// built-in strategy, or by a program using subjects/python/crashbench_records.py
// or its own encoder), so the verifier judges it as it judges the built-ins:
// torn, interleaved, corrupt and duplicate records, and lost-acked,
// partial-visible and lost-unacked tasks against the acknowledgements.
#include "harness/oracle/oracle_internal.h"
#include "harness/verify/verifier.h"

namespace crashbench::oracle_internal {

Result<OracleReport> RunRecordsOracle(const OracleSpec& spec, const OracleInput& input) {
  VerifyOptions options;
  options.layout = spec.layout;
  options.tasks = input.tasks;
  options.records_per_task = input.records_per_task;
  options.acked = input.acked;
  Result<VerifyReport> verified = VerifyDirectory(input.out_dir, options);
  if (!verified.ok()) return verified.status();
  OracleReport report;
  report.anomalies = std::move(verified->anomalies);
  report.records_visible = verified->records_visible;
  return report;
}

}  // namespace crashbench::oracle_internal
