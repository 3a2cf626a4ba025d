// Undoing an earlier choice of reassembly (verifier_reassembly.cc) when a
// tail closes nothing otherwise.
#include <string>
#include <utility>
#include <vector>

#include "harness/contract/record.h"
#include "harness/verify/verifier_reassembler.h"

namespace crashbench::verifier_internal {

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
  const std::vector<size_t> live = LiveOpens(kFallbackOpens);
  return UndoHeadEnd(pos, t, line, live) || UndoMiddleStart(pos, t, line, live) ||
         UndoOwner(pos, t, line, live) || CloseOwnHead(pos, is_new, t, line);
}

// The piece before the tail, and what a cut part leaves floating, for each
// shift of the cuts (at in the part cut [part_begin, part_end), p in this piece).
bool Reassembler::CutOut(size_t pos, const PartSearch::Tail& t, long long line, size_t p, size_t at,
                         size_t part_begin, size_t part_end) {
  std::vector<size_t> ends;
  std::vector<std::pair<size_t, size_t>> rest;
  for (long d : search_.Shifts(at, p, part_begin + 1, part_end, t.lo, t.close)) {
    ends.push_back(p + d);
    rest.emplace_back(at + d, part_end);
  }
  AddMiddles(rest, line);
  NonClosing(pos, ends, line);
  return true;
}

// 1: an open record ends earlier than its head part was taken to and closes
// here; the rest of that part floats.
bool Reassembler::UndoHeadEnd(size_t pos, const PartSearch::Tail& t, long long line,
                              const std::vector<size_t>& live) {
  size_t a = 0, p = 0;
  Record rec;
  for (size_t i : live) {
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
    return CutOut(pos, t, line, p, x.offset + a, x.offset, x.head_end);
  }
  return false;
}

// 2: an open record takes the start of a floating middle and closes here.
bool Reassembler::UndoMiddleStart(size_t pos, const PartSearch::Tail& t, long long line,
                                  const std::vector<size_t>& live) {
  size_t a = 0, p = 0;
  Record rec;
  for (size_t f : Floating(t.lo)) {
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
      return CutOut(pos, t, line, p, m.begin + a, m.begin, m.end);
    }
  }
  return false;
}

// 3. Owners: each open record whole; then cut shorter, but only with a tail
// that the layout places (no payload bytes): else one crc places 3 cuts.
bool Reassembler::UndoOwner(size_t pos, const PartSearch::Tail& t, long long line,
                            const std::vector<size_t>& live) {
  size_t a = 0, p = 0, which = 0;
  Record rec;
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
  return false;
}

// 4: the head at pos closes here, a whole write of another writer between.
bool Reassembler::CloseOwnHead(size_t pos, bool is_new, const PartSearch::Tail& t, long long line) {
  size_t a = 0, p = 0;
  Record rec;
  size_t close = t.close;
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

}  // namespace crashbench::verifier_internal
