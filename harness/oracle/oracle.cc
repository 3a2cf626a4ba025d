// The oracles' registry, names and dispatch. A new oracle is one file with
// its Run function (declared in oracle_internal.h), its OracleKind, and one
// line in Registry() below; ParseOracleSpec takes the keys it lists.
#include "harness/oracle/oracle.h"

#include "harness/oracle/oracle_internal.h"

namespace crashbench {
namespace oracle_internal {

const std::vector<OracleDef>& Registry() {
  static const std::vector<OracleDef> kOracles = {
      {OracleKind::kRecords, "records", {"layout"}, {}, RunRecordsOracle},
      {OracleKind::kJson, "json", {"files", "count"}, {"files"}, RunJsonOracle},
      {OracleKind::kJsonl, "jsonl", {"files", "count"}, {"files"}, RunJsonlOracle},
      {OracleKind::kOldOrNew, "old-or-new", {"files"}, {"files"}, RunOldOrNewOracle},
      {OracleKind::kCommand, "command", {"command"}, {"command"}, RunCommandOracle},
  };
  return kOracles;
}

const OracleDef* FindOracle(OracleKind kind) {
  for (const OracleDef& d : Registry())
    if (d.kind == kind) return &d;
  return nullptr;
}

const OracleDef* FindOracle(std::string_view name) {
  for (const OracleDef& d : Registry())
    if (d.name == name) return &d;
  return nullptr;
}

}  // namespace oracle_internal

std::string_view OracleName(OracleKind kind) {
  const oracle_internal::OracleDef* d = oracle_internal::FindOracle(kind);
  return d ? d->name : "?";
}

std::optional<OracleKind> OracleFromName(std::string_view name) {
  const oracle_internal::OracleDef* d = oracle_internal::FindOracle(name);
  if (!d) return std::nullopt;
  return d->kind;
}

Result<OracleReport> RunOracle(const OracleSpec& spec, const OracleInput& input) {
  const oracle_internal::OracleDef* d = oracle_internal::FindOracle(spec.kind);
  if (!d) return Status::Error("unknown oracle");
  Result<OracleReport> report = d->run(spec, input);
  if (!report.ok()) return report.status().Annotate(std::string("oracle ") + std::string(d->name));
  return report;
}

}  // namespace crashbench
