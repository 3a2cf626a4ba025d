// Internals of the verifier, shared by the two layouts' files and by
// verifier.cc. Not part of the verifier's interface: include verifier.h.
//
// Each layout turns one output file into anomalies about its bytes (torn,
// interleaved, corrupt, duplicate) and into traces in a Ledger: which records
// of which task a reader can see, and which are explained by a damage already
// reported. AccountTasks then turns the Ledger and the acknowledgement log
// into lost-acked, partial-visible and lost-unacked.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/contract/anomaly.h"
#include "harness/contract/record.h"
#include "harness/verify/verifier.h"

namespace crashbench::verifier_internal {

// What the output showed of one task.
struct TaskTrace {
  std::map<long long, int> visible;  // seq -> times visible as a valid record
  std::set<long long> accounted;     // seqs explained by a reported anomaly
  // A torn or corrupt per-task document explains every record of its task.
  bool all_accounted = false;
  bool torn = false;                 // some record or document of the task is torn
  std::optional<long long> of;       // records in the task, from crc-valid data
  std::optional<long long> of_hint;  // the same from damaged data, used only as a fallback
  // The first trace (visible record or damage) in file order.
  bool traced = false;
  const FileContents* file = nullptr;
  long long offset = -1;
  long long line = -1;
};

using Ledger = std::map<long long, TaskTrace>;

// Records that `task` left a trace at (file, offset, line); keeps the first.
void NoteTrace(Ledger* ledger, long long task, const FileContents& file, long long offset,
               long long line);

// 1-based line number of the byte at `offset`.
long long LineAt(std::string_view bytes, size_t offset);

// An anomaly located in `file`, with the excerpt starting at `offset`.
// offset -1 means "no location inside the file".
Anomaly MakeAnomaly(AnomalyKind kind, const FileContents& file, long long offset, long long task,
                    long long seq, std::string detail);
// Same, when the line is already known (saves a scan of the file).
Anomaly MakeAnomalyAtLine(AnomalyKind kind, const FileContents& file, long long offset,
                          long long line, long long task, long long seq, std::string detail);

// What a JSON parser makes of a text.
struct JsonProbe {
  bool complete = false;   // exactly one JSON value (surrounding whitespace allowed)
  bool cut_short = false;  // not complete, and the first error is at the end of input:
                           // the text is a strict prefix of some JSON text
  size_t error_index = 0;  // index of the byte where parsing failed (size() when cut short)
};
JsonProbe ProbeJson(std::string_view text);

// The integer after the first `"key":` in text, if it is there whole (digits
// followed by something that is not a digit: a number at the very end of the
// text may have been cut). Text need not be valid JSON.
std::optional<long long> ScanIntField(std::string_view text, std::string_view key);

// The keys of the record contract.
inline constexpr std::string_view kRecordKeys[] = {"task", "seq", "of", "payload", "crc"};

// Whitespace in the JSON sense: space, tab, CR, LF.
bool IsBlank(std::string_view s);
std::string_view TrimRight(std::string_view s);

// Index of the '}' closing the object that text[0] opens, by a lexical scan
// (strings and escapes respected); npos if it never closes.
size_t ObjectEnd(std::string_view text);

// A reassembled text counts only when it is exactly a record: the five keys,
// once each, and a crc that matches. ParseRecord tolerates extra keys, but a
// key glued together from two writers' bytes (`"crc` + `payload":"...` makes
// a key "crcpayload") must not let a wrong split pass the crc check.
bool IsExactRecord(std::string_view text, Record* record);

// True when text names one of the record's keys twice ("crc" ... "crc"): one
// writer never does that, so the bytes of two records are mixed.
bool HasRepeatedRecordKey(std::string_view text);

// ---- reassembly of interleaved writes --------------------------------------
// verifier_reassembly.cc walks a shared file's pieces and keeps the books;
// verifier_part_search.cc holds the searches it runs, guided by the crc.

// A stretch of a shared file between two separators (a newline, or the `{"`
// that starts a record) that is not a valid record on its own. Never holds a
// newline, so one line number locates all of it.
struct Piece {
  size_t begin = 0;
  size_t end = 0;
  long long line = 0;
  bool head = false;  // starts with `{"`
};

struct Reassembly {
  struct Reassembled {
    Record record;
    size_t offset = 0;  // where its first part starts
    long long line = 0;
  };
  std::vector<Reassembled> records;  // records put back together from two or more parts
  // What no reassembly explains, in file order: heads never completed (torn
  // records, when nothing else is wrong with them) and bytes no record claims.
  std::vector<Piece> unexplained;
};

// Puts back together the records that several writers' write() calls cut into
// parts. `pieces` in file order; `budget` caps the work (bytes examined) and
// is decremented; once it is spent, what is left is returned unexplained.
Reassembly Reassemble(std::string_view bytes, const std::vector<Piece>& pieces, size_t* budget);

// CRC-32C run backwards: the crc of A, given crc(A + bytes) (as Crc32c
// returns them).
uint32_t CrcBefore(uint32_t crc_after, std::string_view bytes);

// Where a text stands in the record layout EncodeRecord writes,
//   {"task":N,"seq":N,"of":N,"payload":"...","crc":"HHHHHHHH"}
// fed one byte at a time. Reassembly follows this layout only (payload bytes
// that need no escaping and hold no space or brace).
struct LayoutCursor {
  uint8_t elem = 0;  // element of the layout reached (literal, number, payload, hex)
  bool failed = false;
  uint32_t count = 0;            // bytes of the current element
  size_t fed = 0;                // bytes accepted
  size_t payload_at = 0;         // index of the first payload byte, once reached
  long long num[3] = {0, 0, 0};  // task, seq, of

  static LayoutCursor InPayloadOf();  // inside some record's payload
  bool InPayload() const;
  bool PastPayload() const;  // and not failed
  bool Complete() const;
  bool Feed(char c);                   // false (and failed) when c cannot come next
  size_t FeedAll(std::string_view s);  // bytes accepted before the first refused one
  size_t Remaining() const;            // when PastPayload(): bytes to the record's end
};
bool IsLayoutPayloadChar(char c);
// Crc32c of "task:seq:of:" + the payload bytes of text; c is the cursor after
// text, inside its payload.
uint32_t LayoutPayloadCrc(std::string_view text, const LayoutCursor& c);

// A text that may become a record once more bytes follow it.
struct Candidate {
  std::string text;
  LayoutCursor cursor;  // after text
  uint32_t crc = 0;     // cursor.InPayload(): LayoutPayloadCrc(text)
  size_t end = 0;       // file offset just past its last byte
  static Candidate Of(std::string text, size_t end);
};

// The searches of reassembly over one file's bytes, within a budget. A
// record is accepted only when its bytes are exactly a record whose crc
// matches (IsExactRecord); the searches only decide which texts to check.
class PartSearch {
 public:
  PartSearch(std::string_view bytes, size_t* budget) : bytes_(bytes), budget_(budget) {}
  // Charges n units of work; false once the budget is spent.
  bool Spend(size_t n);
  bool Spent() const { return *budget_ == 0; }
  std::string_view At(size_t begin, size_t end) const { return bytes_.substr(begin, end - begin); }

  // The bytes [p, close] as a record's last part, for lo <= p <= hi. For each
  // p in the payload run before the record's end, `want` holds the crc that
  // the record's bytes before p must have, sorted.
  struct Tail {
    size_t lo = 0, hi = 0, close = 0;
    std::vector<std::pair<uint32_t, size_t>> want;
    // The same tail, only where it starts early enough to hold all 8 crc
    // digits: the crc then pins every byte of it to the record. A shorter
    // tail (`4"}`, `"}`) fits any record that lacks just those bytes.
    Tail Strong() const;
    // The same tail, only where it holds no payload bytes (the layout then
    // fixes where it starts).
    Tail WithoutPayload() const;
  };
  Tail MakeTail(size_t lo, size_t close);

  // Whether prefix + [p, close] is exactly a record; fills *r.
  bool Check(std::string_view prefix, size_t p, size_t close, Record* r);
  // Some candidate *which and p in [t.lo, t.hi] with text + [p, close] a
  // record. Cuts inside the payload are found by crc lookup; elsewhere the
  // longest tail (smallest p) is tried first.
  bool FindTail(const std::vector<Candidate>& cands, const Tail& t, size_t* which, size_t* p,
                Record* r);
  // The first a in [a_lo, a_hi] with base + g[0, a) + [p, close] a record
  // and accept(a, p), p past g[0, a) + 1 byte when g is in the file at g_file
  // (npos otherwise).
  bool TakePrefix(std::string_view base, std::string_view g, size_t a_lo, size_t a_hi,
                  const Tail& t, size_t g_file, const std::function<bool(size_t, size_t)>& accept,
                  size_t* a, size_t* p, Record* r);
  // The head [begin, end) cut shorter: [begin, begin + a) for each a >= 1
  // that leaves a layout prefix.
  std::vector<Candidate> Truncations(size_t begin, size_t end);
  // Where a head [pos, e) that is not a layout prefix may stop: the head of
  // a record glued to a whole write from inside another, cut where one of
  // cands takes the rest. Digits fit a payload and a number alike
  // (`...payload":"..` + `10,"seq":5` may be cut before the 1 or the 0), so
  // every such cut is returned (the last first, at most max_cuts); just e
  // when the whole is a layout prefix.
  std::vector<size_t> GlueCuts(size_t pos, size_t e, const std::vector<Candidate>& cands,
                               size_t max_cuts);
  // The shifts d (0 first) for which a cut a before a middle and a cut p
  // before a tail can both move by d and leave the record the same bytes:
  // the byte that changes sides at one cut equals the one at the other.
  std::vector<long> Shifts(size_t a, size_t p, size_t a_min, size_t a_max, size_t p_min,
                           size_t p_max) const;

  // A candidate *which, ending at or before g_file + a, with text + g[a, end)
  // + [p, close] a record and accept(which, a) (*p is set when it is called),
  // for some a >= a_lo.
  bool TakeSuffix(const std::vector<Candidate>& cands, std::string_view g, size_t a_lo,
                  size_t g_file, const Tail& t, const std::function<bool(size_t, size_t)>& accept,
                  size_t* which, size_t* a, size_t* p, Record* r);

 private:
  bool CloseWith(std::string_view prefix, const LayoutCursor& c, uint32_t crc, const Tail& t,
                 size_t p_min, size_t* p, Record* r);
  bool EndAt(size_t close, uint32_t* crc) const;

  std::string_view bytes_;
  size_t* budget_;
};

// The layouts. Anomalies are appended to *anomalies in file order.
void VerifySharedFile(const FileContents& file, const VerifyOptions& options, Ledger* ledger,
                      std::vector<Anomaly>* anomalies, long long* records_visible);
void VerifyPerTaskFile(const FileContents& file, long long task, const VerifyOptions& options,
                       Ledger* ledger, std::vector<Anomaly>* anomalies, long long* records_visible);

}  // namespace crashbench::verifier_internal
