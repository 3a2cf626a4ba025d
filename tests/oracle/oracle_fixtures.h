// Helpers shared by the oracles' tests: files written into a scratch output
// directory (subdirectories made on the way), specs built in one line, and
// the anomalies of one kind.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/base/sys.h"
#include "harness/oracle/oracle.h"
#include "tests/test_util.h"

namespace crashbench::oracle_testing {

// Writes out/<path> with exactly these bytes, making its directories.
inline void Put(const testing::ScratchDir& out, const std::string& path, const std::string& bytes) {
  const size_t slash = path.rfind('/');
  if (slash != std::string::npos) {
    ASSERT_TRUE(MakeDirs(out.path() + "/" + path.substr(0, slash)).ok());
  }
  out.Write(path, bytes);
}

inline OracleSpec FilesSpec(OracleKind kind, std::vector<std::string> files,
                            std::optional<long long> count = std::nullopt) {
  OracleSpec s;
  s.kind = kind;
  s.files = std::move(files);
  s.count = count;
  return s;
}

inline OracleInput InputFor(const testing::ScratchDir& out, bool exited_ok = true) {
  OracleInput in;
  in.out_dir = out.path();
  in.exited_ok = exited_ok;
  return in;
}

// Runs the oracle; a failure to run fails the test and gives an empty report.
inline OracleReport Judge(const OracleSpec& spec, const OracleInput& input) {
  Result<OracleReport> r = RunOracle(spec, input);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(*r) : OracleReport{};
}

inline std::vector<Anomaly> OfKind(const OracleReport& r, AnomalyKind kind) {
  std::vector<Anomaly> out;
  for (const Anomaly& a : r.anomalies)
    if (a.kind == kind) out.push_back(a);
  return out;
}

}  // namespace crashbench::oracle_testing
