// The per-task layout: task-<T>.json holding one document
//   {"task":T,"count":N,"records":[...]}
// judged the way a reader that parses the whole file would judge it.
#include <nlohmann/json.hpp>
#include <set>

#include "harness/contract/layout.h"
#include "harness/contract/record.h"
#include "harness/verify/verifier_internal.h"

namespace crashbench::verifier_internal {
namespace {

// Only called on texts ProbeJson found complete; a discarded value (which
// cannot happen then) is judged as "not a JSON object" downstream.
nlohmann::json ParseComplete(std::string_view text) {
  return nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
}

// Offsets of the elements of the top-level "records" array, by a lexical scan
// of a text the JSON parser has accepted. Empty when there is no such array.
std::vector<size_t> RecordOffsets(std::string_view text) {
  std::vector<size_t> offsets;
  int depth = 0;
  bool in_records = false, expect_element = false;
  std::string_view last_string;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (expect_element && c != ']') offsets.push_back(i);
    expect_element = false;
    if (c == '"') {
      size_t j = i + 1;
      while (j < text.size() && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
      last_string = text.substr(i + 1, j - i - 1);
      i = j;
    } else if (c == '{' || c == '[') {
      // Inside the top-level object a '[' is always the value of the last key.
      if (c == '[' && depth == 1 && last_string == "records") {
        offsets.clear();  // a repeated key: the parser keeps the last one
        in_records = expect_element = true;
      }
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 1) in_records = false;
    } else if (c == ',' && in_records && depth == 2) {
      expect_element = true;
    }
  }
  return offsets;
}

class PerTaskFileScan {
 public:
  PerTaskFileScan(const FileContents& file, long long task, const VerifyOptions& options,
                  Ledger* ledger, std::vector<Anomaly>* anomalies, long long* records_visible)
      : file_(file),
        bytes_(file.bytes),
        task_(task),
        options_(options),
        trace_((*ledger)[task]),
        anomalies_(anomalies),
        records_visible_(records_visible) {
    NoteTrace(ledger, task, file, 0, 1);  // a reader takes whatever is at the final path
  }

  void Run() {
    if (options_.tasks && task_ >= *options_.tasks)
      Report(AnomalyKind::kCorrupt, 0, -1, "task outside the workload");
    if (IsBlank(bytes_)) {
      Torn(bytes_.empty() ? "empty file" : "file holds only whitespace");
      return;
    }
    JsonProbe probe = ProbeJson(bytes_);
    if (probe.complete) {
      CheckDocument(ParseComplete(bytes_), 0, bytes_);
      return;
    }
    if (probe.cut_short) {
      Torn("document cut short");
      return;
    }
    size_t error = probe.error_index;
    std::string_view first = bytes_.substr(0, error), rest = bytes_.substr(error);
    if (!ProbeJson(first).complete) {
      Report(AnomalyKind::kCorrupt, static_cast<long long>(error), -1, "bad JSON");
      trace_.all_accounted = true;
      return;
    }
    // A complete document, then more bytes: a second write, or garbage.
    if (!CheckDocument(ParseComplete(first), 0, first)) return;
    JsonProbe rest_probe = ProbeJson(rest);
    if (rest_probe.complete) {
      nlohmann::json second = ParseComplete(rest);
      if (IsValidDocument(second)) {
        ReportSecondCopy(second, error, rest);
        return;
      }
    } else if (rest_probe.cut_short) {
      Torn("a second document, cut short, follows the first");
      return;
    }
    Report(AnomalyKind::kCorrupt, static_cast<long long>(error), -1,
           "bytes after the end of the document");
  }

 private:
  void Report(AnomalyKind kind, long long offset, long long seq, std::string detail) {
    anomalies_->push_back(MakeAnomaly(kind, file_, offset, task_, seq, std::move(detail)));
  }

  // A document cut short explains every record of the task.
  void Torn(std::string detail) {
    Report(AnomalyKind::kTorn, static_cast<long long>(bytes_.size()), -1, std::move(detail));
    trace_.torn = true;
    trace_.all_accounted = true;
  }

  // The document's shape; reports corrupt and returns false when it is wrong.
  bool CheckShape(const nlohmann::json& doc, long long offset, bool report) {
    const char* problem = nullptr;
    if (!doc.is_object()) {
      problem = "not a JSON object";
    } else if (!doc.contains("task") || !doc["task"].is_number_integer() ||
               doc["task"].get<long long>() != task_) {
      problem = "\"task\" is missing, not an integer, or not the file's task";
    } else if (!doc.contains("count") || !doc["count"].is_number_integer()) {
      problem = "\"count\" is missing or not an integer";
    } else if (!doc.contains("records") || !doc["records"].is_array()) {
      problem = "\"records\" is missing or not an array";
    }
    if (!problem) return true;
    if (report) {
      Report(AnomalyKind::kCorrupt, offset, -1, problem);
      trace_.all_accounted = true;
    }
    return false;
  }

  bool IsValidDocument(const nlohmann::json& doc) {
    if (!CheckShape(doc, 0, /*report=*/false)) return false;
    for (const nlohmann::json& element : doc["records"]) {
      Record record;
      if (RecordFromJson(&element, &record) != ParseOutcome::kValid || record.task != task_)
        return false;
    }
    return true;
  }

  // Judges every record of a document starting at `base` whose text is `text`.
  bool CheckDocument(const nlohmann::json& doc, size_t base, std::string_view text) {
    if (!CheckShape(doc, static_cast<long long>(base), /*report=*/true)) return false;
    if (doc["count"].get<long long>() >= 0 && !trace_.of) trace_.of = doc["count"].get<long long>();
    const nlohmann::json& records = doc["records"];
    std::vector<size_t> offsets = RecordOffsets(text);
    std::set<long long> seen;
    for (size_t i = 0; i < records.size(); ++i) {
      long long offset =
          offsets.size() == records.size() ? static_cast<long long>(base + offsets[i]) : -1;
      Record record;
      switch (RecordFromJson(&records[i], &record)) {
        case ParseOutcome::kValid:
          if (record.task != task_) {
            Report(AnomalyKind::kCorrupt, offset, record.seq,
                   "record of task " + std::to_string(record.task) + " in " + file_.name);
            trace_.accounted.insert(record.seq);
            break;
          }
          ++*records_visible_;
          trace_.visible[record.seq]++;
          if (!trace_.of) trace_.of = record.of;
          if (!seen.insert(record.seq).second)
            Report(AnomalyKind::kDuplicate, offset, record.seq, "record visible more than once");
          break;
        case ParseOutcome::kBadCrc:
          Report(AnomalyKind::kCorrupt, offset, record.seq, "crc does not match");
          trace_.accounted.insert(record.seq);
          if (!trace_.of_hint) trace_.of_hint = record.of;
          break;
        case ParseOutcome::kBadFields:
        case ParseOutcome::kBadJson: {
          long long seq = -1;
          const nlohmann::json& e = records[i];
          if (e.is_object() && e.contains("seq") && e["seq"].is_number_integer())
            seq = e["seq"].get<long long>();
          Report(AnomalyKind::kCorrupt, offset, seq, "not a record: fields missing or mistyped");
          if (seq >= 0) trace_.accounted.insert(seq);
          break;
        }
      }
    }
    return true;
  }

  // The whole document written twice: every record of the copy is a duplicate.
  void ReportSecondCopy(const nlohmann::json& doc, size_t base, std::string_view text) {
    const nlohmann::json& records = doc["records"];
    std::vector<size_t> offsets = RecordOffsets(text);
    for (size_t i = 0; i < records.size(); ++i) {
      Record record;
      (void)RecordFromJson(&records[i], &record);
      long long offset =
          offsets.size() == records.size() ? static_cast<long long>(base + offsets[i]) : -1;
      ++*records_visible_;
      trace_.visible[record.seq]++;
      Report(AnomalyKind::kDuplicate, offset, record.seq,
             "record visible more than once: a second document follows the first");
    }
  }

  const FileContents& file_;
  std::string_view bytes_;
  long long task_;
  const VerifyOptions& options_;
  TaskTrace& trace_;
  std::vector<Anomaly>* anomalies_;
  long long* records_visible_;
};

}  // namespace

void VerifyPerTaskFile(const FileContents& file, long long task, const VerifyOptions& options,
                       Ledger* ledger, std::vector<Anomaly>* anomalies,
                       long long* records_visible) {
  PerTaskFileScan(file, task, options, ledger, anomalies, records_visible).Run();
}

}  // namespace crashbench::verifier_internal
