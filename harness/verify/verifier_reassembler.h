// The reassembler: walks a shared file's pieces in order and keeps the books
// of records opened and middles floating (verifier_reassembly.cc, where the
// model is described), and undoes an earlier choice when a tail closes nothing
// (verifier_reassembly_undo.cc). Internal to the verifier; Reassemble() in
// verifier_internal.h is its interface.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/verify/verifier_internal.h"

namespace crashbench::verifier_internal {

constexpr size_t kMaxOpen = 64;       // open records tried, the most recent first
constexpr size_t kFallbackOpens = 8;  // of those, by undoings and with middles
constexpr size_t kMaxFloating = 8;    // floating middles tried, the most recent
constexpr size_t kNone = std::string_view::npos;

struct Open {  // the head part of a record whose tail was not seen yet
  size_t offset = 0, head_end = 0;
  long long line = 0;
  size_t group = 0;  // alternative head ends of one record share a group
};
struct Middle {  // bytes no record has taken yet
  size_t begin = 0, end = 0;
  long long line = 0;
  size_t group = 0;
};
struct Variant {  // an open record followed by floating middles
  size_t open = 0;
  std::vector<size_t> middles;
};

class Reassembler {
 public:
  Reassembler(std::string_view bytes, size_t* budget, Reassembly* out)
      : bytes_(bytes), search_(bytes, budget), out_(out) {}

  void Walk(const std::vector<Piece>& pieces) {
    for (const Piece& p : pieces) WalkPiece(p);
    Finish();
  }

 private:
  std::string_view At(size_t begin, size_t end) const { return search_.At(begin, end); }
  size_t NewGroup() {
    settled_.push_back(false);
    optional_.push_back(false);
    return settled_.size() - 1;
  }
  std::vector<size_t> LiveOpens(size_t most = kMaxOpen) const;  // of `most` records, newest first
  std::vector<size_t> Floating(size_t before) const;            // in file order
  Candidate HeadOf(size_t i) const {
    return Candidate::Of(std::string(At(open_[i].offset, open_[i].head_end)), open_[i].head_end);
  }

  // Whether some open record not in the groups `except` (with its middles)
  // can take the bytes [begin, end) as they are: the owner a part cut off
  // another record must have, or the cut was wrong.
  bool Takeable(size_t begin, size_t end, const std::vector<size_t>& except) const;

  // Whether the bytes [pos, p) before a tail can be something: nothing, a
  // head (glued to a middle another record takes), or a middle some record
  // takes. An undoing that leaves them nothing was the wrong one.
  bool Explainable(size_t pos, size_t p, const std::vector<size_t>& except);

  // Every open record, alone and followed by one or two floating middles.
  std::vector<Candidate> Candidates(size_t before, std::vector<Variant>* vars,
                                    const std::vector<size_t>& except = {}) const;

  void Emit(const Record& r, size_t offset, long long line) {
    out_->records.push_back(Reassembly::Reassembled{r, offset, line});
  }
  void Settle(const Variant& v, const Record& r) {
    settled_[open_[v.open].group] = true;
    for (size_t m : v.middles) settled_[middles_[m].group] = true;
    Emit(r, open_[v.open].offset, open_[v.open].line);
  }
  // A middle, at one of several places; when one of them is empty the bytes
  // may belong to the records around them, and are never unexplained.
  void AddMiddles(const std::vector<std::pair<size_t, size_t>>& alternatives, long long line);

  // Bytes [pos, e) that close no record, for each alternative end e: a head,
  // a middle, or a head glued to a middle.
  void NonClosing(size_t pos, const std::vector<size_t>& ends, long long line);

  void WalkPiece(const Piece& piece);

  // The undoings a tail that closes nothing tries, in order (see
  // verifier_reassembly_undo.cc); each true when it placed the tail.
  bool Fallback(size_t pos, bool is_new, const PartSearch::Tail& t, long long line);
  bool UndoHeadEnd(size_t pos, const PartSearch::Tail& t, long long line,
                   const std::vector<size_t>& live);
  bool UndoMiddleStart(size_t pos, const PartSearch::Tail& t, long long line,
                       const std::vector<size_t>& live);
  bool UndoOwner(size_t pos, const PartSearch::Tail& t, long long line,
                 const std::vector<size_t>& live);
  bool CloseOwnHead(size_t pos, bool is_new, const PartSearch::Tail& t, long long line);
  bool CutOut(size_t pos, const PartSearch::Tail& t, long long line, size_t p, size_t at,
              size_t part_begin, size_t part_end);

  void Finish();

  std::string_view bytes_;
  PartSearch search_;
  Reassembly* out_;
  std::vector<Open> open_;
  std::vector<Middle> middles_;
  std::vector<bool> settled_;   // per group: its record closed, or its middle taken
  std::vector<bool> optional_;  // per group: its middle may be empty
};

}  // namespace crashbench::verifier_internal
