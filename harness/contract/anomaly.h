// The anomaly taxonomy of DESIGN.md: what a downstream reader would have seen.
//
//   Anomaly a{AnomalyKind::kTorn, "records.jsonl", 9012, 37, 12, 3, "..."};
//   IsViolation(a.kind)  // true
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crashbench {

enum class AnomalyKind {
  kTorn,
  kInterleaved,
  kCorrupt,
  kDuplicate,
  kLostAcked,
  kPartialVisible,
  kHang,
  kSilentFailure,
  kOrphanTemp,
  kLostUnacked,
};

inline constexpr std::array<AnomalyKind, 10> kAllAnomalyKinds = {
    AnomalyKind::kTorn,       AnomalyKind::kInterleaved,   AnomalyKind::kCorrupt,
    AnomalyKind::kDuplicate,  AnomalyKind::kLostAcked,     AnomalyKind::kPartialVisible,
    AnomalyKind::kHang,       AnomalyKind::kSilentFailure, AnomalyKind::kOrphanTemp,
    AnomalyKind::kLostUnacked};

// "torn", "interleaved", ..., "lost-unacked": the names results files use.
std::string_view AnomalyName(AnomalyKind kind);
std::optional<AnomalyKind> AnomalyFromName(std::string_view name);
// "torn, interleaved, ..." for error messages.
std::string AnomalyNameList();
// orphan-temp and lost-unacked are reported but are not violations.
bool IsViolation(AnomalyKind kind);

struct Anomaly {
  AnomalyKind kind;
  std::string file;       // relative to the output directory; "" when not about a file
  long long offset = -1;  // byte offset in file, -1 when not applicable
  long long line = -1;    // 1-based line number, -1 when not applicable
  long long task = -1;    // -1 when unknown
  long long seq = -1;     // -1 when unknown or about the whole task
  std::string excerpt;    // short, escaped (printable ASCII only)
  std::string detail;     // optional human explanation (e.g. the hang diagnosis)
};

// Escapes bytes for an excerpt: printable ASCII kept, \n \t \\ and \xNN otherwise.
std::string EscapeExcerpt(std::string_view bytes, size_t max_len = 80);

using AnomalyCounts = std::map<std::string, long long>;  // keyed by AnomalyName
AnomalyCounts CountAnomalies(const std::vector<Anomaly>& anomalies);
long long CountViolations(const std::vector<Anomaly>& anomalies);

}  // namespace crashbench
