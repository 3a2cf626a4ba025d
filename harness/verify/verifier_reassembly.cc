// Reassembly of records that interleaved write() calls of several writers cut
// into parts (verifier_shared.cc cuts the file into pieces at newlines and
// record starts; verifier_part_search.cc runs the searches).
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
#include "harness/verify/verifier_internal.h"

namespace crashbench::verifier_internal {
namespace {

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
  std::vector<size_t> LiveOpens(size_t most = kMaxOpen) const {  // of `most` records, newest first
    std::vector<size_t> live;
    for (size_t i = open_.size(), records = 0; i-- > 0;) {
      if (settled_[open_[i].group]) continue;
      if (live.empty() || open_[live.back()].group != open_[i].group) ++records;
      if (records > most) break;
      live.push_back(i);
    }
    return live;
  }
  std::vector<size_t> Floating(size_t before) const {  // in file order
    std::vector<size_t> f;
    for (size_t i = middles_.size(); i-- > 0 && f.size() < kMaxFloating;)
      if (!settled_[middles_[i].group] && middles_[i].end <= before) f.insert(f.begin(), i);
    return f;
  }
  Candidate HeadOf(size_t i) const {
    return Candidate::Of(std::string(At(open_[i].offset, open_[i].head_end)), open_[i].head_end);
  }

  // Whether some open record not in the groups `except` (with its middles)
  // can take the bytes [begin, end) as they are: the owner a part cut off
  // another record must have, or the cut was wrong.
  bool Takeable(size_t begin, size_t end, const std::vector<size_t>& except) const {
    std::vector<Variant> vars;
    for (const Candidate& c : Candidates(begin, &vars, except))
      if (c.end <= begin && LayoutCursor(c.cursor).FeedAll(At(begin, end)) == end - begin)
        return true;
    return false;
  }

  // Whether the bytes [pos, p) before a tail can be something: nothing, a
  // head (glued to a middle another record takes), or a middle some record
  // takes. An undoing that leaves them nothing was the wrong one.
  bool Explainable(size_t pos, size_t p, const std::vector<size_t>& except) {
    if (p <= pos) return true;
    if (bytes_[pos] != '{') return Takeable(pos, p, except);
    std::vector<Variant> vars;
    return !search_.GlueCuts(pos, p, Candidates(pos, &vars, except), kMaxFloating).empty();
  }

  // Every open record, alone and followed by one or two floating middles.
  std::vector<Candidate> Candidates(size_t before, std::vector<Variant>* vars,
                                    const std::vector<size_t>& except = {}) const {
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
  void AddMiddles(const std::vector<std::pair<size_t, size_t>>& alternatives, long long line) {
    size_t g = NewGroup();
    for (const auto& [b, e] : alternatives) {
      if (b < e) middles_.push_back(Middle{b, e, line, g});
      if (b >= e) optional_[g] = true;
    }
  }

  // Bytes [pos, e) that close no record, for each alternative end e: a head,
  // a middle, or a head glued to a middle.
  void NonClosing(size_t pos, const std::vector<size_t>& ends, long long line) {
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

  void WalkPiece(const Piece& piece) {
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

  bool Fallback(size_t pos, bool is_new, const PartSearch::Tail& t, long long line);
  void Finish();

  std::string_view bytes_;
  PartSearch search_;
  Reassembly* out_;
  std::vector<Open> open_;
  std::vector<Middle> middles_;
  std::vector<bool> settled_;   // per group: its record closed, or its middle taken
  std::vector<bool> optional_;  // per group: its middle may be empty
};

// A tail [p, close] that closes nothing: undo one earlier choice, the first
// way a crc accepts. 1: an open record X ends earlier than its head part was
// taken to, closes here, and the rest of that part (a whole write) floats.
// 2: an open record takes the start of a floating middle, closes here. 3: the
// end of X's head part or of a floating middle goes to an open record R,
// whole or ended earlier as in 1, which closes here. 4: the head at pos
// closes here, a whole write of another writer between. Bytes cut off must
// fit another open record, and those before the tail must stay explainable,
// or the undoing was wrong (heads cut inside `{"task":` make the same record
// whichever it was; only this tells).
bool Reassembler::Fallback(size_t pos, bool is_new, const PartSearch::Tail& t, long long line) {
  size_t a = 0, p = 0, which = 0;
  Record rec;
  const std::vector<size_t> live = LiveOpens(kFallbackOpens);
  // The piece before the tail, and what a cut part leaves floating, for each
  // shift of the cuts (a in the part cut, p in this piece).
  auto cut_out = [&](size_t at, size_t part_begin, size_t part_end) {
    std::vector<size_t> ends;
    std::vector<std::pair<size_t, size_t>> rest;
    for (long d : search_.Shifts(at, p, part_begin + 1, part_end, t.lo, t.close)) {
      ends.push_back(p + d);
      rest.emplace_back(at + d, part_end);
    }
    AddMiddles(rest, line);
    NonClosing(pos, ends, line);
    return true;
  };
  for (size_t i : live) {  // 1.
    const Open x = open_[i];
    auto owned = [&](size_t k, size_t tail) {
      return Takeable(x.offset + k, x.head_end, {x.group}) && Explainable(pos, tail, {x.group});
    };
    if (x.head_end - x.offset < 2 ||
        !search_.TakePrefix("", At(x.offset, x.head_end), 1, x.head_end - x.offset - 1, t, kNone,
                            owned, &a, &p, &rec))
      continue;
    settled_[x.group] = true;
    Emit(rec, x.offset, x.line);
    return cut_out(x.offset + a, x.offset, x.head_end);
  }
  for (size_t f : Floating(t.lo)) {  // 2.
    const Middle m = middles_[f];
    for (size_t i : live) {
      const Open& y = open_[i];
      auto owned = [&](size_t k, size_t tail) {
        return Takeable(m.begin + k, m.end, {y.group, m.group}) &&
               Explainable(pos, tail, {y.group, m.group});
      };
      if (y.head_end > m.begin || m.end - m.begin < 2 ||
          !search_.TakePrefix(At(y.offset, y.head_end), At(m.begin, m.end), 1, m.end - m.begin - 1,
                              t, kNone, owned, &a, &p, &rec))
        continue;
      settled_[y.group] = settled_[m.group] = true;
      Emit(rec, y.offset, y.line);
      return cut_out(m.begin + a, m.begin, m.end);
    }
  }
  // 3. Owners: each open record whole; then cut shorter, but only with a tail
  // that the layout places (no payload bytes): else one crc places 3 cuts.
  struct Source {
    size_t begin, end, group, a_lo;
    long long line;
  };
  std::vector<Source> sources;
  for (size_t i : live)
    sources.push_back({open_[i].offset, open_[i].head_end, open_[i].group, 1, open_[i].line});
  for (size_t f : Floating(t.lo))
    sources.push_back({middles_[f].begin, middles_[f].end, middles_[f].group, 0, middles_[f].line});
  const PartSearch::Tail no_payload = t.WithoutPayload();
  for (bool cut_owners : {false, true}) {
    std::vector<Candidate> owners;
    std::vector<size_t> owner_of;
    for (size_t i : live) {
      for (Candidate& c : cut_owners ? search_.Truncations(open_[i].offset, open_[i].head_end)
                                     : std::vector<Candidate>{HeadOf(i)}) {
        owners.push_back(std::move(c));
        owner_of.push_back(i);
      }
    }
    for (const Source& src : sources) {
      auto fits = [&](size_t w, size_t) {
        const Open& r = open_[owner_of[w]];
        return r.group != src.group &&
               (owners[w].end == r.head_end ||
                Takeable(owners[w].end, r.head_end, {r.group, src.group})) &&
               Explainable(pos, p, {r.group, src.group});
      };
      if (src.end - src.begin <= src.a_lo ||
          !search_.TakeSuffix(owners, At(src.begin, src.end), src.a_lo, src.begin,
                              cut_owners ? no_payload : t, fits, &which, &a, &p, &rec))
        continue;
      const Open owner = open_[owner_of[which]];
      settled_[owner.group] = settled_[src.group] = true;
      Emit(rec, owner.offset, owner.line);
      if (owners[which].end < owner.head_end)
        AddMiddles({{owners[which].end, owner.head_end}}, owner.line);
      if (src.a_lo == 1) {  // X keeps the start of its head part
        open_.push_back(Open{src.begin, src.begin + a, src.line, NewGroup()});
      } else if (a > 0) {
        AddMiddles({{src.begin, src.begin + a}}, src.line);
      }
      NonClosing(pos, {p}, line);
      return true;
    }
  }
  size_t close = t.close;  // 4.
  auto owned = [&](size_t k, size_t tail) { return Takeable(pos + k, tail, {}); };
  if (!is_new || close - pos < 2 ||
      !search_.TakePrefix("", At(pos, close), 1, close - pos - 1, t, pos, owned, &a, &p, &rec))
    return false;
  Emit(rec, pos, line);
  std::vector<std::pair<size_t, size_t>> middle;
  for (long d : search_.Shifts(pos + a, p, pos + 1, close, pos + 1, close))
    middle.emplace_back(pos + a + d, p + d);
  AddMiddles(middle, line);
  return true;
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

}  // namespace

Reassembly Reassemble(std::string_view bytes, const std::vector<Piece>& pieces, size_t* budget) {
  Reassembly out;
  Reassembler(bytes, budget, &out).Walk(pieces);
  return out;
}

}  // namespace crashbench::verifier_internal
