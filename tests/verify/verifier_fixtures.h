// Builders and checks shared by the verifier's test files: records from the
// project's own encoder, options, and the chunked interleaving of buffered writers.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/contract/record.h"
#include "harness/verify/verifier.h"

namespace crashbench::verifier_testing {

inline long long LineAt(const std::string& bytes, size_t offset) {
  return 1 + std::count(bytes.begin(), bytes.begin() + static_cast<long>(offset), '\n');
}

constexpr uint64_t kSeed = 7;

inline std::string Rec(long long task, long long seq, long long of, size_t payload_bytes = 32) {
  return EncodeRecord(task, seq, of, MakePayload(kSeed, task, seq, payload_bytes));
}
inline std::string Line(long long task, long long seq, long long of, size_t payload_bytes = 32) {
  return Rec(task, seq, of, payload_bytes) + "\n";
}
// All records of a task, one per line.
inline std::string TaskLines(long long task, long long of, size_t payload_bytes = 32) {
  std::string s;
  for (long long seq = 0; seq < of; ++seq) s += Line(task, seq, of, payload_bytes);
  return s;
}
inline std::string Doc(long long task, long long count, const std::vector<std::string>& records) {
  std::string s = "{\"task\":" + std::to_string(task) + ",\"count\":" + std::to_string(count) +
                  ",\"records\":[";
  for (size_t i = 0; i < records.size(); ++i) s += (i ? "," : "") + records[i];
  return s + "]}";
}
inline std::string FullDoc(long long task, long long of) {
  std::vector<std::string> records;
  for (long long seq = 0; seq < of; ++seq) records.push_back(Rec(task, seq, of));
  return Doc(task, of, records);
}

inline VerifyOptions Options(Layout layout, std::optional<long long> tasks,
                             std::optional<long long> records_per_task, std::set<long long> acked) {
  VerifyOptions o;
  o.layout = layout;
  o.tasks = tasks;
  o.records_per_task = records_per_task;
  o.acked = std::move(acked);
  return o;
}
inline VerifyOptions Shared(std::optional<long long> tasks,
                            std::optional<long long> records_per_task, std::set<long long> acked) {
  return Options(Layout::kShared, tasks, records_per_task, std::move(acked));
}
inline VerifyOptions PerTask(std::optional<long long> tasks,
                             std::optional<long long> records_per_task, std::set<long long> acked) {
  return Options(Layout::kPerTask, tasks, records_per_task, std::move(acked));
}

inline VerifyReport VerifyShared(const std::string& bytes, const VerifyOptions& options) {
  return VerifyFiles({FileContents{"records.jsonl", bytes}}, {}, options);
}

// The anomalies of one kind, in report order.
inline std::vector<Anomaly> OfKind(const VerifyReport& r, AnomalyKind kind) {
  std::vector<Anomaly> out;
  for (const Anomaly& a : r.anomalies)
    if (a.kind == kind) out.push_back(a);
  return out;
}

inline void ExpectAt(const Anomaly& a, const std::string& file, long long offset, long long line,
                     long long task, long long seq) {
  EXPECT_EQ(a.file, file) << AnomalyName(a.kind);
  EXPECT_EQ(a.offset, offset) << AnomalyName(a.kind);
  EXPECT_EQ(a.line, line) << AnomalyName(a.kind);
  EXPECT_EQ(a.task, task) << AnomalyName(a.kind);
  EXPECT_EQ(a.seq, seq) << AnomalyName(a.kind);
}

// Cuts each writer's bytes into chunks of n and interleaves them round-robin,
// the way several buffered writers' write() calls land in one O_APPEND file.
inline std::string InterleaveChunks(const std::vector<std::string>& writers, size_t n) {
  std::string out;
  for (size_t at = 0;; at += n) {
    bool any = false;
    for (const std::string& w : writers) {
      if (at >= w.size()) continue;
      out += w.substr(at, n);
      any = true;
    }
    if (!any) return out;
  }
}

}  // namespace crashbench::verifier_testing
