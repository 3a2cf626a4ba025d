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
  kUnexpectedFile,
};

inline constexpr std::array<AnomalyKind, 11> kAllAnomalyKinds = {
    AnomalyKind::kTorn,        AnomalyKind::kInterleaved,   AnomalyKind::kCorrupt,
    AnomalyKind::kDuplicate,   AnomalyKind::kLostAcked,     AnomalyKind::kPartialVisible,
    AnomalyKind::kHang,        AnomalyKind::kSilentFailure, AnomalyKind::kOrphanTemp,
    AnomalyKind::kLostUnacked, AnomalyKind::kUnexpectedFile};

// "torn", "interleaved", ..., "lost-unacked": the names results files use.
std::string_view AnomalyName(AnomalyKind kind);
std::optional<AnomalyKind> AnomalyFromName(std::string_view name);
// "torn, interleaved, ..." for error messages.
std::string AnomalyNameList();
// orphan-temp, lost-unacked and unexpected-file are reported but are not
// violations.
bool IsViolation(AnomalyKind kind);

// A file beside the output that is not an output file of the layout: a temp
// file left behind (orphan-temp) when its name looks like one (a ".tmp" or
// "temp" in it, a leading '.', a trailing '~', sed -i's "sedXXXXXX", an
// editor's ".swp", a download's ".part"), anything else an unexpected file.
AnomalyKind StrayFileKind(std::string_view name);

struct Anomaly {
  AnomalyKind kind;
  std::string file;       // relative to the output directory; "" when not about a file
  long long offset = -1;  // byte offset in file, -1 when not applicable
  long long line = -1;    // 1-based line number, -1 when not applicable
  long long task = -1;    // -1 when unknown
  long long seq = -1;     // -1 when unknown or about the whole task
  std::string excerpt;    // short, escaped (printable ASCII only)
  std::string detail;     // optional human explanation (e.g. the hang diagnosis)
  // Just past the damaged record's last byte, when the verifier knows it (a
  // torn record: where its bytes stop and the next record's, often another
  // writer's, begin); -1 otherwise.
  long long end = -1;
};

// Escapes bytes for an excerpt: printable ASCII kept, \n \t \\ and \xNN otherwise.
std::string EscapeExcerpt(std::string_view bytes, size_t max_len = 80);

using AnomalyCounts = std::map<std::string, long long>;  // keyed by AnomalyName
AnomalyCounts CountAnomalies(const std::vector<Anomaly>& anomalies);
long long CountViolations(const std::vector<Anomaly>& anomalies);

}  // namespace crashbench
