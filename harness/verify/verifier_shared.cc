// The shared layout: records.jsonl, one record per line, as several writers
// without coordination leave it.
//
// A record is a flat JSON object, so the two bytes `{"` never occur unescaped
// inside one: every `{"` starts a record (a head). Each line is cut into
// pieces at those bytes. A head that is a valid record is visible. The other
// pieces go to reassembly (verifier_reassembly.cc), which puts back together
// the records that interleaved writes cut into parts: those are interleaved.
// What it cannot explain is judged here: a head cut short is torn, a head
// that names a record key twice holds the bytes of two records (interleaved,
// though it cannot be put back together), everything else is corrupt.
#include <algorithm>
#include <map>
#include <utility>

#include "harness/contract/record.h"
#include "harness/verify/verifier_internal.h"

namespace crashbench::verifier_internal {
namespace {

// Reassembly parses and steps over candidate texts; on a file of nothing but
// damage that could grow quadratic. It stops after this much work (plus a
// multiple of the file size), and what is left is judged as it stands. Real
// interleavings take under 10 units a byte, records longer than the writes
// (whole writes to cut out again) under 100.
constexpr size_t kSearchBudgetBytes = 16 << 20;
constexpr size_t kSearchBudgetPerFileByte = 128;

struct VisibleRecord {
  Record record;
  size_t offset = 0;
  long long line = 0;
};

class SharedFileScan {
 public:
  SharedFileScan(const FileContents& file, const VerifyOptions& options, Ledger* ledger)
      : file_(file),
        bytes_(file.bytes),
        options_(options),
        ledger_(ledger),
        budget_(kSearchBudgetBytes + kSearchBudgetPerFileByte * file.bytes.size()) {}

  // Runs the rules in order; the anomalies come out sorted by offset.
  std::vector<Anomaly> Run(long long* records_visible) {
    SplitLines();
    Reassemble();
    ClassifyRemainingHeads();
    ReportUnexplainedFragments();
    ReportVisible(records_visible);
    std::stable_sort(found_.begin(), found_.end(),
                     [](const Anomaly& a, const Anomaly& b) { return a.offset < b.offset; });
    return std::move(found_);
  }

 private:
  std::string_view Text(const Piece& p) const { return bytes_.substr(p.begin, p.end - p.begin); }

  void Report(AnomalyKind kind, size_t offset, long long line, long long task, long long seq,
              std::string detail) {
    found_.push_back(MakeAnomalyAtLine(kind, file_, static_cast<long long>(offset), line, task, seq,
                                       std::move(detail)));
  }

  // A damaged record of (task, seq) is reported: its task has a trace, and
  // the record is accounted for (not lost on top of being damaged).
  void TraceDamage(std::optional<long long> task, std::optional<long long> seq, size_t offset,
                   long long line) {
    if (!task) return;
    NoteTrace(ledger_, *task, file_, static_cast<long long>(offset), line);
    if (seq) (*ledger_)[*task].accounted.insert(*seq);
  }

  void SplitLines() {
    size_t pos = 0;
    for (long long line = 1; pos < bytes_.size(); ++line) {
      size_t nl = bytes_.find('\n', pos);
      size_t end = nl == std::string_view::npos ? bytes_.size() : nl;
      SplitLine(pos, end, line);
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
  }

  void SplitLine(size_t begin, size_t end, long long line) {
    std::string_view text = bytes_.substr(begin, end - begin);
    size_t head = text.find("{\"");
    AddFragment(begin, begin + std::min(head, text.size()), line);
    while (head != std::string_view::npos) {
      size_t next = text.find("{\"", head + 2);
      AddHead(begin + head, begin + std::min(next, text.size()), line);
      head = next;
    }
  }

  void AddFragment(size_t begin, size_t end, long long line) {
    if (begin < end && !IsBlank(bytes_.substr(begin, end - begin)))
      pieces_.push_back(Piece{begin, end, line, /*head=*/false});
  }

  // A record a reader takes. One that names a key twice is not one record:
  // a JSON parser keeps the last "task", so `{"task":0,"` glued to another
  // record's `task":5,...}` would pass as task 5 and hide task 0's head.
  static bool IsVisibleRecord(std::string_view text, Record* record) {
    return ParseRecord(text, record) == ParseOutcome::kValid && !HasRepeatedRecordKey(text);
  }

  void AddHead(size_t begin, size_t end, long long line) {
    std::string_view text = bytes_.substr(begin, end - begin);
    Record record;
    if (IsVisibleRecord(text, &record)) {
      visible_.push_back(VisibleRecord{std::move(record), begin, line});
      return;
    }
    // A valid record followed by bytes that are not a record start.
    size_t close = ObjectEnd(text);
    if (close != std::string_view::npos && IsVisibleRecord(text.substr(0, close + 1), &record)) {
      visible_.push_back(VisibleRecord{std::move(record), begin, line});
      AddFragment(begin + close + 1, end, line);
      return;
    }
    pieces_.push_back(Piece{begin, end, line, /*head=*/true});
  }

  // Records put back together from parts are interleaved.
  void Reassemble() {
    Reassembly r = verifier_internal::Reassemble(bytes_, pieces_, &budget_);
    for (const Reassembly::Reassembled& rec : r.records) {
      Report(AnomalyKind::kInterleaved, rec.offset, rec.line, rec.record.task, rec.record.seq,
             "record reassembled from pieces separated by other writes");
      TraceDamage(rec.record.task, rec.record.seq, rec.offset, rec.line);
      TaskTrace& trace = (*ledger_)[rec.record.task];
      if (!trace.of) trace.of = rec.record.of;
    }
    pieces_ = std::move(r.unexplained);
  }

  void ClassifyRemainingHeads() {
    for (const Piece& p : pieces_) {
      if (!p.head) continue;
      std::string_view text = Text(p);
      std::optional<long long> task = ScanIntField(text, "task");
      std::optional<long long> seq = ScanIntField(text, "seq");
      if (HasRepeatedRecordKey(text)) {
        Report(AnomalyKind::kInterleaved, p.begin, p.line, task.value_or(-1), seq.value_or(-1),
               "bytes of two or more records mixed in one line");
        TraceDamage(task, seq, p.begin, p.line);
        continue;
      }
      if (ProbeJson(text).cut_short) {
        Report(AnomalyKind::kTorn, p.begin, p.line, task.value_or(-1), seq.value_or(-1),
               "record cut short");
        found_.back().end = static_cast<long long>(p.end);
        TraceDamage(task, seq, p.begin, p.line);
        if (task) {
          TaskTrace& trace = (*ledger_)[*task];
          trace.torn = true;
          if (!trace.of_hint) trace.of_hint = ScanIntField(text, "of");
        }
        continue;
      }
      Record record;
      switch (ParseRecord(text, &record)) {
        case ParseOutcome::kValid:  // not reachable: valid heads never become pieces
          visible_.push_back(VisibleRecord{std::move(record), p.begin, p.line});
          break;
        case ParseOutcome::kBadCrc:
          Report(AnomalyKind::kCorrupt, p.begin, p.line, record.task, record.seq,
                 "crc does not match");
          TraceDamage(record.task, record.seq, p.begin, p.line);
          if (!(*ledger_)[record.task].of_hint) (*ledger_)[record.task].of_hint = record.of;
          break;
        case ParseOutcome::kBadFields:
          Report(AnomalyKind::kCorrupt, p.begin, p.line, task.value_or(-1), seq.value_or(-1),
                 "a JSON object but not a record: fields missing or mistyped");
          TraceDamage(task, seq, p.begin, p.line);
          break;
        case ParseOutcome::kBadJson:
          Report(AnomalyKind::kCorrupt, p.begin, p.line, task.value_or(-1), seq.value_or(-1),
                 "not a record: bad JSON");
          TraceDamage(task, seq, p.begin, p.line);
          break;
      }
    }
  }

  void ReportUnexplainedFragments() {
    for (const Piece& p : pieces_) {
      if (p.head) continue;
      Report(AnomalyKind::kCorrupt, p.begin, p.line, -1, -1,
             "bytes not explained by tearing or interleaving");
    }
  }

  void ReportVisible(long long* records_visible) {
    std::stable_sort(
        visible_.begin(), visible_.end(),
        [](const VisibleRecord& a, const VisibleRecord& b) { return a.offset < b.offset; });
    std::map<std::pair<long long, long long>, int> seen;
    for (const VisibleRecord& v : visible_) {
      const Record& r = v.record;
      ++*records_visible;
      if (seen[{r.task, r.seq}]++ > 0)
        Report(AnomalyKind::kDuplicate, v.offset, v.line, r.task, r.seq,
               "record visible more than once");
      if (options_.tasks && r.task >= *options_.tasks)
        Report(AnomalyKind::kCorrupt, v.offset, v.line, r.task, r.seq, "task outside the workload");
      NoteTrace(ledger_, r.task, file_, static_cast<long long>(v.offset), v.line);
      TaskTrace& trace = (*ledger_)[r.task];
      trace.visible[r.seq]++;
      if (!trace.of) trace.of = r.of;
    }
  }

  const FileContents& file_;
  std::string_view bytes_;
  const VerifyOptions& options_;
  Ledger* ledger_;
  std::vector<Piece> pieces_;
  std::vector<VisibleRecord> visible_;
  std::vector<Anomaly> found_;
  size_t budget_;
};

}  // namespace

void VerifySharedFile(const FileContents& file, const VerifyOptions& options, Ledger* ledger,
                      std::vector<Anomaly>* anomalies, long long* records_visible) {
  std::vector<Anomaly> found = SharedFileScan(file, options, ledger).Run(records_visible);
  anomalies->insert(anomalies->end(), std::make_move_iterator(found.begin()),
                    std::make_move_iterator(found.end()));
}

}  // namespace crashbench::verifier_internal
