#include "harness/contract/anomaly.h"

#include <cctype>

namespace crashbench {

std::string_view AnomalyName(AnomalyKind kind) {
  switch (kind) {
    case AnomalyKind::kTorn:
      return "torn";
    case AnomalyKind::kInterleaved:
      return "interleaved";
    case AnomalyKind::kCorrupt:
      return "corrupt";
    case AnomalyKind::kDuplicate:
      return "duplicate";
    case AnomalyKind::kLostAcked:
      return "lost-acked";
    case AnomalyKind::kPartialVisible:
      return "partial-visible";
    case AnomalyKind::kHang:
      return "hang";
    case AnomalyKind::kSilentFailure:
      return "silent-failure";
    case AnomalyKind::kOrphanTemp:
      return "orphan-temp";
    case AnomalyKind::kLostUnacked:
      return "lost-unacked";
    case AnomalyKind::kUnexpectedFile:
      return "unexpected-file";
  }
  return "?";
}

std::optional<AnomalyKind> AnomalyFromName(std::string_view name) {
  for (AnomalyKind k : kAllAnomalyKinds)
    if (AnomalyName(k) == name) return k;
  return std::nullopt;
}

std::string AnomalyNameList() {
  std::string s;
  for (AnomalyKind k : kAllAnomalyKinds) {
    if (!s.empty()) s += ", ";
    s += AnomalyName(k);
  }
  return s;
}

bool IsViolation(AnomalyKind kind) {
  return kind != AnomalyKind::kOrphanTemp && kind != AnomalyKind::kLostUnacked &&
         kind != AnomalyKind::kUnexpectedFile;
}

AnomalyKind StrayFileKind(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto has = [&](std::string_view part) { return lower.find(part) != std::string::npos; };
  auto ends = [&](std::string_view tail) {
    return lower.size() >= tail.size() &&
           lower.compare(lower.size() - tail.size(), tail.size(), tail) == 0;
  };
  const bool sed_temp = lower.size() == 9 && lower.rfind("sed", 0) == 0;
  const bool temp = has("tmp") || has("temp") || lower.rfind('.', 0) == 0 || ends("~") ||
                    ends(".swp") || ends(".part") || sed_temp;
  return temp ? AnomalyKind::kOrphanTemp : AnomalyKind::kUnexpectedFile;
}

std::string EscapeExcerpt(std::string_view bytes, size_t max_len) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (out.size() >= max_len) {
      out += "...";
      break;
    }
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

AnomalyCounts CountAnomalies(const std::vector<Anomaly>& anomalies) {
  AnomalyCounts counts;
  for (const Anomaly& a : anomalies) counts[std::string(AnomalyName(a.kind))]++;
  return counts;
}

long long CountViolations(const std::vector<Anomaly>& anomalies) {
  long long n = 0;
  for (const Anomaly& a : anomalies) n += IsViolation(a.kind) ? 1 : 0;
  return n;
}

}  // namespace crashbench
