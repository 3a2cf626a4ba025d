// The shared layout: records.jsonl, one record per line, as several writers
// without coordination leave it.
//
// A record is a flat JSON object, so the two bytes `{"` never occur unescaped
// inside one: every `{"` starts a record (a head). Each line is cut into
// pieces at those bytes. A head that is a valid record is visible. A head
// that is cut short is either completed by later pieces (its record was
// interleaved with other writes) or torn. Everything else is corrupt.
//
// Reassembly relies on the crc: a concatenation of pieces counts only when it
// is exactly a record (five keys, once each) whose crc matches, so a wrong
// reassembly is, in practice, impossible, and the search can be generous:
//  - a head cut short + up to three later non-head fragments;
//  - a head cut short + the tail of a later head: what block-buffered writers
//    leave when each write() ends mid-record and another block lands between.
// A head that names a record key twice holds the bytes of two records: it is
// interleaved even when it cannot be put back together.
#include <algorithm>
#include <map>
#include <utility>

#include "harness/record.h"
#include "harness/verifier_internal.h"

namespace crashbench::verifier_internal {
namespace {

// How far reassembly looks: the next 32 candidate pieces after a head, and at
// most three pieces appended to it.
constexpr size_t kWindow = 32;
constexpr int kMaxAppendedPieces = 3;
// Splitting a later head into "its own start" + "the tail of an earlier record"
// tries every split point; beyond this size it is not tried (cost is quadratic).
constexpr size_t kMaxSplitBytes = 16 * 1024;
// Reassembly parses candidate texts; on a file of nothing but damage that is
// quadratic. It stops after parsing this many bytes (plus a multiple of the
// file size), and the heads left untried are judged as they stand.
constexpr size_t kSearchBudgetBytes = 64 << 20;
constexpr size_t kSearchBudgetPerFileByte = 16;

// A head that is not a valid record, or a non-head fragment, in file order.
struct Piece {
  size_t begin = 0;
  size_t end = 0;  // shrinks when the tail of a head is found to belong to an earlier record
  long long line = 0;
  bool head = false;
  bool consumed = false;
};

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

  void AddHead(size_t begin, size_t end, long long line) {
    std::string_view text = bytes_.substr(begin, end - begin);
    Record record;
    if (ParseRecord(text, &record) == ParseOutcome::kValid) {
      visible_.push_back(VisibleRecord{std::move(record), begin, line});
      return;
    }
    // A valid record followed by bytes that are not a record start.
    size_t close = ObjectEnd(text);
    if (close != std::string_view::npos &&
        ParseRecord(text.substr(0, close + 1), &record) == ParseOutcome::kValid) {
      visible_.push_back(VisibleRecord{std::move(record), begin, line});
      AddFragment(begin + close + 1, end, line);
      return;
    }
    pieces_.push_back(Piece{begin, end, line, /*head=*/true});
  }

  // Charges a parse of n bytes to the search budget; false once it is spent.
  bool Spend(size_t n) {
    if (budget_ < n) {
      budget_ = 0;
      return false;
    }
    budget_ -= n;
    return true;
  }

  // Whether some candidate from index `from` on can be the last piece of a
  // record: the text of a record ends with '}'.
  bool CanEnd(const std::vector<size_t>& candidates, size_t from) const {
    for (size_t c = from; c < candidates.size(); ++c) {
      std::string_view t = TrimRight(Text(pieces_[candidates[c]]));
      if (!t.empty() && t.back() == '}') return true;
    }
    return false;
  }

  // Depth-first over increasing indices of `candidates`: prefix + c1 [+ c2 [+ c3]].
  bool Extend(const std::string& prefix, const std::vector<size_t>& candidates, size_t from,
              int appended, std::vector<size_t>* chosen, Record* record) {
    for (size_t c = from; c < candidates.size(); ++c) {
      std::string_view piece = Text(pieces_[candidates[c]]);
      std::string_view trimmed = TrimRight(piece);
      bool can_end = !trimmed.empty() && trimmed.back() == '}';
      bool can_continue = appended + 1 < kMaxAppendedPieces && CanEnd(candidates, c + 1);
      if (!can_end && !can_continue) continue;
      std::string text = prefix;
      text += piece;
      if (!Spend(text.size())) return false;
      JsonProbe probe = ProbeJson(text);
      if (probe.complete) {
        if (!IsExactRecord(text, record)) continue;
        chosen->push_back(candidates[c]);
        return true;
      }
      if (!probe.cut_short || !can_continue) continue;
      chosen->push_back(candidates[c]);
      if (Extend(text, candidates, c + 1, appended + 1, chosen, record)) return true;
      chosen->pop_back();
    }
    return false;
  }

  // Head i completed by later whole fragments.
  bool CompleteWithFragments(size_t i, std::vector<size_t>* chosen, Record* record) {
    std::vector<size_t> candidates;
    for (size_t j = i + 1; j < pieces_.size() && candidates.size() < kWindow; ++j)
      if (!pieces_[j].head && !pieces_[j].consumed) candidates.push_back(j);
    return Extend(std::string(Text(pieces_[i])), candidates, 0, 0, chosen, record);
  }

  // Head i completed by the tail of a later head S = (start of another record,
  // cut short) + (the rest of head i's record). This is what block-buffered
  // writers leave: each write() ends mid-record and the next writer's block
  // lands in between. On success S is shortened to its own start.
  bool CompleteWithHeadTail(size_t i, Record* record) {
    std::string_view h = Text(pieces_[i]);
    if (h.size() > kMaxSplitBytes) return false;
    size_t tried = 0;
    for (size_t j = i + 1; j < pieces_.size() && tried < kWindow; ++j) {
      Piece& s_piece = pieces_[j];
      if (!s_piece.head || s_piece.consumed) continue;
      ++tried;
      std::string_view s = Text(s_piece);
      std::string_view trimmed = TrimRight(s);
      if (s.size() > kMaxSplitBytes || trimmed.empty() || trimmed.back() != '}') continue;
      // The completed record names each key once: the tail must start after
      // S's last copy of every key that head i already holds.
      size_t first_k = 1;
      for (std::string_view key : kRecordKeys) {
        std::string token = "\"" + std::string(key) + "\"";
        if (h.find(token) == std::string_view::npos) continue;
        size_t last = s.rfind(token);
        if (last != std::string_view::npos) first_k = std::max(first_k, last + 1);
      }
      for (size_t k = first_k; k < trimmed.size(); ++k) {
        std::string text(h);
        text += s.substr(k);
        if (!Spend(text.size())) return false;
        if (!ProbeJson(text).complete || !IsExactRecord(text, record)) continue;
        if (!ProbeJson(s.substr(0, k)).cut_short) continue;
        s_piece.end = s_piece.begin + k;
        return true;
      }
    }
    return false;
  }

  // Rule: each head cut short, in file order, is tried against later pieces.
  void Reassemble() {
    for (size_t i = 0; i < pieces_.size(); ++i) {
      if (!pieces_[i].head || pieces_[i].consumed) continue;
      if (!ProbeJson(Text(pieces_[i])).cut_short) continue;
      std::vector<size_t> chosen;
      Record record;
      if (!CompleteWithFragments(i, &chosen, &record) && !CompleteWithHeadTail(i, &record))
        continue;
      pieces_[i].consumed = true;
      for (size_t c : chosen) pieces_[c].consumed = true;
      Report(AnomalyKind::kInterleaved, pieces_[i].begin, pieces_[i].line, record.task, record.seq,
             "record reassembled from pieces separated by other writes");
      TraceDamage(record.task, record.seq, pieces_[i].begin, pieces_[i].line);
      TaskTrace& trace = (*ledger_)[record.task];
      if (!trace.of) trace.of = record.of;
    }
  }

  void ClassifyRemainingHeads() {
    for (Piece& p : pieces_) {
      if (!p.head || p.consumed) continue;
      p.consumed = true;
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
      if (p.head || p.consumed) continue;
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
