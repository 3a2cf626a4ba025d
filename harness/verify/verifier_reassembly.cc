// Reassembly of records that interleaved write() calls of several writers cut
// into parts (verifier_shared.cc cuts the file into pieces at newlines and
// record starts; verifier_part_search.cc runs the searches;
// verifier_reassembly_undo.cc undoes a choice when a tail closes nothing).
//
// The model: each writer's bytes are its records, one per line; each write()
// lands whole and in order, but different writers' writes interleave, so a
// record may be cut at any byte into parts that lie in file order with other
// writers' bytes between. A piece is a run of parts: a head (from a record's
// '{'), a tail (up to its '}'), or a middle (a whole write inside one record,
// only when records are longer than the writer's buffer). Walking the pieces
// in order, the walker keeps the records whose head was seen and not their
// tail ("open") and the middles no record took yet ("floating"). A part that
// ends with '}' closes an open record, maybe with floating middles between;
// where it follows another part in its piece, the crc places the cut.
//
// Choices made before a crc can check them (that a head ends where its piece
// ends; which record a middle is of) are undone when a tail closes nothing
// otherwise (Fallback). Cuts that no crc can place yet (a middle between two
// cuts of one record moves by a byte when the bytes at both cuts are equal,
// and that record stays the same) are kept as alternatives, a group, until a
// crc picks one. Where the same bytes fit two records (heads cut inside the
// literal `{"task":`; tails of only `"}`), the likelier reading goes first.
//
// Acceptance is only by crc: nothing is taken unless its bytes are exactly a
// record whose crc matches. A tail tried against n candidates with k cuts
// passes by chance with probability about n*k/2^32 (1e-6 for 4 writers and
// 600-byte payloads); an undoing places two cuts, about L^2/2^32 = 1e-4 per
// pair tried (L payload bytes), so it tries few: kFallbackOpens open records,
// kMaxFloating middles, and never three free cuts at once.
//
// Limits (what is left is judged as it stands: torn, interleaved, corrupt):
// the layout EncodeRecord writes (LayoutCursor); kMaxOpen concurrent writers;
// at most two whole writes of a record between its head and tail; and a run
// of parts of four or more writes between two separators, taking turns
// between records (X's head, Y's whole write, X's whole write, Y's tail), is
// not put back together: one crc cannot place three cuts, and records are
// settled one at a time, never two crcs jointly.
#include <algorithm>
#include <string>
#include <vector>

#include "harness/contract/record.h"
#include "harness/verify/verifier_reassembler.h"

namespace crashbench::verifier_internal {

std::vector<size_t> Reassembler::LiveOpens(size_t most) const {
  std::vector<size_t> live;
  for (size_t i = open_.size(), records = 0; i-- > 0;) {
    if (settled_[open_[i].group]) continue;
    if (live.empty() || open_[live.back()].group != open_[i].group) ++records;
    if (records > most) break;
    live.push_back(i);
  }
  return live;
}

std::vector<size_t> Reassembler::Floating(size_t before) const {
  std::vector<size_t> f;
  for (size_t i = middles_.size(); i-- > 0 && f.size() < kMaxFloating;)
    if (!settled_[middles_[i].group] && middles_[i].end <= before) f.insert(f.begin(), i);
  return f;
}

bool Reassembler::Takeable(size_t begin, size_t end, const std::vector<size_t>& except) const {
  std::vector<Variant> vars;
  for (const Candidate& c : Candidates(begin, &vars, except))
    if (c.end <= begin && LayoutCursor(c.cursor).FeedAll(At(begin, end)) == end - begin)
      return true;
  return false;
}

bool Reassembler::Explainable(size_t pos, size_t p, const std::vector<size_t>& except) {
  if (p <= pos) return true;
  if (bytes_[pos] != '{') return Takeable(pos, p, except);
  std::vector<Variant> vars;
  return !search_.GlueCuts(pos, p, Candidates(pos, &vars, except), kMaxFloating).empty();
}

std::vector<Candidate> Reassembler::Candidates(size_t before, std::vector<Variant>* vars,
                                               const std::vector<size_t>& except) const {
  auto excepted = [&](size_t g) { return std::count(except.begin(), except.end(), g) > 0; };
  std::vector<Candidate> cands;
  const std::vector<size_t> floating = Floating(before);
  auto add = [&](const Candidate& base, size_t open, std::vector<size_t> mids) {
    for (size_t f : floating) {
      const Middle& m = middles_[f];
      if (m.begin < base.end || excepted(m.group) ||
          (!mids.empty() && middles_[mids[0]].group == m.group))
        continue;
      LayoutCursor c = base.cursor;
      if (c.FeedAll(At(m.begin, m.end)) != m.end - m.begin) continue;
      cands.push_back(Candidate::Of(base.text + std::string(At(m.begin, m.end)), m.end));
      vars->push_back(Variant{open, mids});
      vars->back().middles.push_back(f);
    }
  };
  size_t recent = 0;
  for (size_t i : LiveOpens()) {
    if (excepted(open_[i].group)) continue;
    cands.push_back(HeadOf(i));
    vars->push_back(Variant{i, {}});
    if (recent++ >= kFallbackOpens) continue;
    for (size_t n = cands.size() - 1, k = n; k < cands.size() && k < n + kMaxFloating; ++k)
      if (vars->at(k).middles.size() < 2) add(Candidate(cands[k]), i, vars->at(k).middles);
  }
  return cands;
}

void Reassembler::AddMiddles(const std::vector<std::pair<size_t, size_t>>& alternatives,
                             long long line) {
  size_t g = NewGroup();
  for (const auto& [b, e] : alternatives) {
    if (b < e) middles_.push_back(Middle{b, e, line, g});
    if (b >= e) optional_[g] = true;
  }
}

void Reassembler::NonClosing(size_t pos, const std::vector<size_t>& ends, long long line) {
  std::vector<std::pair<size_t, size_t>> heads, rests;
  std::vector<Variant> vars;
  const bool head = bytes_[pos] == '{';
  const std::vector<Candidate> cands = head ? Candidates(pos, &vars) : std::vector<Candidate>{};
  for (size_t e : ends) {
    if (e <= pos) continue;
    for (size_t cut : head ? search_.GlueCuts(pos, e, cands, kMaxFloating) : std::vector{pos}) {
      if (cut > pos) heads.emplace_back(pos, cut);
      if (cut < e) rests.emplace_back(cut, e);
    }
  }
  if (heads.empty() && rests.empty()) {
    if (!ends.empty() && ends[0] > pos)
      out_->unexplained.push_back(Piece{pos, ends[0], line, head});
    return;
  }
  size_t g = heads.empty() ? 0 : NewGroup();
  for (const auto& [b, e] : heads) open_.push_back(Open{b, e, line, g});
  if (!rests.empty()) AddMiddles(rests, line);
}

void Reassembler::WalkPiece(const Piece& piece) {
  size_t pos = piece.begin;
  size_t e = piece.begin + TrimRight(At(piece.begin, piece.end)).size();
  while (pos < e) {
    if (search_.Spent()) {  // what is left is judged as it stands
      out_->unexplained.push_back(Piece{pos, e, piece.line, bytes_[pos] == '{'});
      return;
    }
    size_t close = bytes_.find('}', pos);
    if (close >= e) return NonClosing(pos, {e}, piece.line);
    bool is_new = bytes_[pos] == '{';
    std::vector<Variant> vars;
    std::vector<Candidate> cands = Candidates(pos, &vars);
    PartSearch::Tail t = search_.MakeTail(is_new ? pos + 1 : pos, close);
    size_t which = 0, p = 0;
    Record rec;
    // A weak match (a tail without all 8 crc digits) is taken only when no
    // undoing of an earlier choice explains the tail with a strong one.
    bool found = search_.FindTail(cands, t, &which, &p, &rec);
    bool undone = (!found || p > t.Strong().hi) && Fallback(pos, is_new, t.Strong(), piece.line);
    if (!undone && found) {
      Settle(vars[which], rec);
      NonClosing(pos, {p}, piece.line);
    } else if (!undone && !Fallback(pos, is_new, t, piece.line)) {
      out_->unexplained.push_back(Piece{pos, e, piece.line, is_new});
      return;
    }
    pos = close + 1;
    while (pos < e && IsBlank(At(pos, pos + 1))) ++pos;
  }
}

// Floating middles an open record takes are the rest of it (torn); the rest
// of them, and the open records, are left unexplained.
void Reassembler::Finish() {
  std::vector<size_t> live = LiveOpens();
  std::vector<LayoutCursor> cursor;
  std::vector<size_t> end;
  for (size_t i : live) {
    cursor.push_back(HeadOf(i).cursor);
    end.push_back(open_[i].head_end);
  }
  for (const Middle& m : middles_) {
    for (size_t k = 0; k < live.size() && !settled_[m.group]; ++k) {
      LayoutCursor c = cursor[k];
      if (end[k] > m.begin || c.FeedAll(At(m.begin, m.end)) != m.end - m.begin) continue;
      cursor[k] = c;
      end[k] = m.end;
      settled_[m.group] = true;
    }
  }
  std::vector<bool> reported(settled_.size(), false);  // once a group, at its first place
  auto report = [&](size_t group, const Piece& piece) {
    if (!settled_[group] && !reported[group]) out_->unexplained.push_back(piece);
    reported[group] = true;
  };
  for (const Middle& m : middles_)
    if (!optional_[m.group]) report(m.group, Piece{m.begin, m.end, m.line, false});
  for (const Open& o : open_) report(o.group, Piece{o.offset, o.head_end, o.line, true});
  std::sort(out_->unexplained.begin(), out_->unexplained.end(),
            [](const Piece& a, const Piece& b) { return a.begin < b.begin; });
}

Reassembly Reassemble(std::string_view bytes, const std::vector<Piece>& pieces, size_t* budget) {
  Reassembly out;
  Reassembler(bytes, budget, &out).Walk(pieces);
  return out;
}

}  // namespace crashbench::verifier_internal
