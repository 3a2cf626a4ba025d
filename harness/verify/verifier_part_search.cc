// The searches of reassembly (verifier_reassembly.cc says what they are for):
// the record layout as a cursor, CRC-32C run backwards, the cut searches.
// Where two parts meet inside a payload nothing marks the cut, and the crc
// decides: run backwards from a tail's crc over its payload bytes, it gives
// for each possible start of the tail the crc the record's earlier bytes must
// have, which is looked up instead of checking each pair. Outside the payload
// the layout leaves few cuts possible, tried one by one. Every candidate is
// then checked whole: exactly a record, crc included.
#include <algorithm>
#include <string>
#include <vector>

#include "harness/base/crc32c.h"
#include "harness/contract/record.h"
#include "harness/verify/verifier_internal.h"

namespace crashbench::verifier_internal {
namespace {

enum class Kind : uint8_t { kLit, kInt, kPayload, kHex };
struct Elem {
  Kind kind;
  std::string_view lit;
};
// clang-format off
constexpr Elem kLayout[] = {
    {Kind::kLit, "{\"task\":"}, {Kind::kInt, ""}, {Kind::kLit, ",\"seq\":"}, {Kind::kInt, ""},
    {Kind::kLit, ",\"of\":"}, {Kind::kInt, ""}, {Kind::kLit, ",\"payload\":\""},
    {Kind::kPayload, ""}, {Kind::kLit, "\",\"crc\":\""}, {Kind::kHex, ""}, {Kind::kLit, "\"}"}};
// clang-format on
constexpr uint8_t kElems = std::size(kLayout);
constexpr uint8_t kPayloadElem = 7;
constexpr size_t kEndBytes = 19;  // `","crc":"01234567"}`, after every payload

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// Whether s is a record's end `","crc":"HHHHHHHH"}`; *crc is the value.
bool EndOf(std::string_view s, uint32_t* crc) {
  if (s.size() != kEndBytes || s.substr(0, 9) != "\",\"crc\":\"" || s.substr(17) != "\"}")
    return false;
  uint32_t v = 0;
  for (char c : s.substr(9, 8)) {
    if (!IsHex(c)) return false;
    v = v * 16 + static_cast<uint32_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  *crc = v;
  return true;
}

struct CrcTables {
  uint32_t fwd[256];
  uint8_t inv[256];  // i whose fwd[i] has this top byte (they are all different)
};
const CrcTables& Tables() {
  static const CrcTables tables = [] {
    CrcTables t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t.fwd[i] = c;
      t.inv[c >> 24] = static_cast<uint8_t>(i);
    }
    return t;
  }();
  return tables;
}
// The crc register before byte b was fed, from the register after it.
uint32_t Unstep(uint32_t r, char b) {
  const CrcTables& t = Tables();
  uint8_t i = t.inv[r >> 24];
  return ((r ^ t.fwd[i]) << 8) | static_cast<uint8_t>(i ^ static_cast<uint8_t>(b));
}

}  // namespace

uint32_t CrcBefore(uint32_t crc_after, std::string_view bytes) {
  uint32_t r = ~crc_after;
  for (size_t i = bytes.size(); i-- > 0;) r = Unstep(r, bytes[i]);
  return ~r;
}

bool IsLayoutPayloadChar(char c) {
  return c > ' ' && c < 0x7f && c != '"' && c != '\\' && c != '{' && c != '}';
}

// ---- LayoutCursor -------------------------------------------------------------

LayoutCursor LayoutCursor::InPayloadOf() {
  LayoutCursor c;
  c.elem = kPayloadElem;
  return c;
}
bool LayoutCursor::InPayload() const { return !failed && elem == kPayloadElem; }
bool LayoutCursor::PastPayload() const { return !failed && elem > kPayloadElem; }
bool LayoutCursor::Complete() const { return !failed && elem == kElems; }

size_t LayoutCursor::FeedAll(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && Feed(s[n])) ++n;
  return n;
}

bool LayoutCursor::Feed(char c) {
  auto next = [this] {
    ++elem;
    count = 0;
    if (elem == kPayloadElem) payload_at = fed + 1;  // after the quote being fed
  };
  for (;;) {
    if (failed || elem >= kElems) return failed = true, false;
    const Elem& e = kLayout[elem];
    switch (e.kind) {
      case Kind::kLit:
        if (c != e.lit[count]) return failed = true, false;
        if (++count == e.lit.size()) next();
        return ++fed, true;
      case Kind::kInt: {
        long long& v = num[elem / 2];
        if (c >= '0' && c <= '9') {
          if (count >= 18 || (count == 1 && v == 0)) return failed = true, false;
          v = v * 10 + (c - '0');
          ++count;
          return ++fed, true;
        }
        if (count == 0) return failed = true, false;
        next();
        continue;  // the byte belongs to the next element
      }
      case Kind::kPayload:
        if (c == '"') {
          next();
          continue;
        }
        if (!IsLayoutPayloadChar(c)) return failed = true, false;
        return ++fed, true;
      case Kind::kHex:
        if (!IsHex(c)) return failed = true, false;
        if (++count == 8) next();
        return ++fed, true;
    }
  }
}

size_t LayoutCursor::Remaining() const {
  size_t n = 0;
  for (uint8_t e = elem; e < kElems; ++e)
    n += (kLayout[e].kind == Kind::kHex ? 8 : kLayout[e].lit.size()) - (e == elem ? count : 0);
  return n;
}

uint32_t LayoutPayloadCrc(std::string_view text, const LayoutCursor& c) {
  std::string head = std::to_string(c.num[0]) + ":" + std::to_string(c.num[1]) + ":" +
                     std::to_string(c.num[2]) + ":";
  return Crc32cExtend(Crc32c(head.data(), head.size()), text.data() + c.payload_at,
                      text.size() - c.payload_at);
}

Candidate Candidate::Of(std::string text, size_t end) {
  Candidate c;
  c.text = std::move(text);
  c.cursor.FeedAll(c.text);
  if (c.cursor.InPayload()) c.crc = LayoutPayloadCrc(c.text, c.cursor);
  c.end = end;
  return c;
}

// ---- PartSearch -----------------------------------------------------------------

bool PartSearch::Spend(size_t n) {
  if (*budget_ < n) return *budget_ = 0, false;
  *budget_ -= n;
  return true;
}

bool PartSearch::EndAt(size_t close, uint32_t* crc) const {
  return close + 1 >= kEndBytes && EndOf(At(close + 1 - kEndBytes, close + 1), crc);
}

PartSearch::Tail PartSearch::Tail::Strong() const {
  Tail t = *this;  // p <= close - 9: `HHHHHHHH"}` at least
  if (close < lo + 9) {
    t.lo = 1, t.hi = 0;
  } else {
    t.hi = std::min(hi, close - 9);
  }
  return t;
}

PartSearch::Tail PartSearch::Tail::WithoutPayload() const {
  Tail t = *this;  // p >= q: from `","crc":"` on
  if (close + 1 >= lo + kEndBytes) t.lo = close + 1 - kEndBytes;
  return t;
}

PartSearch::Tail PartSearch::MakeTail(size_t lo, size_t close) {
  Tail t{lo, close, close, {}};
  uint32_t crc = 0;
  if (!EndAt(close, &crc) || close + 1 - kEndBytes < lo) return t;
  uint32_t r = ~crc;  // the register before bytes [p, q)
  for (size_t p = close + 1 - kEndBytes;; --p) {
    t.want.emplace_back(~r, p);
    if (p == lo || !IsLayoutPayloadChar(bytes_[p - 1]) || !Spend(1)) break;
    r = Unstep(r, bytes_[p - 1]);
  }
  std::sort(t.want.begin(), t.want.end());
  return t;
}

bool PartSearch::Check(std::string_view prefix, size_t p, size_t close, Record* r) {
  std::string text(prefix);
  text += At(p, close + 1);
  return Spend(text.size()) && IsExactRecord(text, r);
}

bool PartSearch::FindTail(const std::vector<Candidate>& cands, const Tail& t, size_t* which,
                          size_t* p, Record* r) {
  const size_t hi = t.hi;
  for (size_t i = 0; i < cands.size(); ++i) {
    if (!cands[i].cursor.InPayload()) continue;
    auto it =
        std::lower_bound(t.want.begin(), t.want.end(), std::make_pair(cands[i].crc, size_t{0}));
    for (; it != t.want.end() && it->first == cands[i].crc; ++it)
      if (it->second <= hi && Check(cands[i].text, it->second, t.close, r))
        return *which = i, *p = it->second, true;
  }
  // Candidates cut inside the same literal (`{"` and `{"tas`) make the same
  // record with tails that start at different bytes (`task":5,...` or
  // `k":5,...`); the bytes `tas` are then far more likely the record's own
  // than the end of whatever came before the tail, so the smallest p wins.
  for (size_t q = t.lo; q <= hi; ++q) {
    for (size_t i = 0; i < cands.size(); ++i) {
      if (cands[i].cursor.InPayload()) continue;
      LayoutCursor c = cands[i].cursor;
      size_t n = c.FeedAll(At(q, t.close + 1));
      if (!Spend(n + 1)) return false;
      if (c.Complete() && n == t.close + 1 - q && Check(cands[i].text, q, t.close, r))
        return *which = i, *p = q, true;
    }
  }
  return false;
}

bool PartSearch::CloseWith(std::string_view prefix, const LayoutCursor& c, uint32_t crc,
                           const Tail& t, size_t p_min, size_t* p, Record* r) {
  if (c.failed || c.Complete()) return false;
  if (c.InPayload()) {
    auto it = std::lower_bound(t.want.begin(), t.want.end(), std::make_pair(crc, size_t{0}));
    for (; it != t.want.end() && it->first == crc; ++it)
      if (it->second >= p_min && it->second <= t.hi && Check(prefix, it->second, t.close, r))
        return *p = it->second, true;
    return false;
  }
  size_t from = std::max(t.lo, p_min), to = t.hi;
  if (c.PastPayload()) {  // the rest has a fixed length
    size_t rem = c.Remaining();
    if (from > t.close || rem > t.close + 1 - from || t.close + 1 - rem > t.hi) return false;
    from = to = t.close + 1 - rem;
  }
  for (size_t q = from; q <= to; ++q) {
    LayoutCursor k = c;
    size_t n = k.FeedAll(At(q, t.close + 1));
    if (!Spend(n + 1)) return false;
    if (k.Complete() && n == t.close + 1 - q && Check(prefix, q, t.close, r)) return *p = q, true;
  }
  return false;
}

bool PartSearch::TakePrefix(std::string_view base, std::string_view g, size_t a_lo, size_t a_hi,
                            const Tail& t, size_t g_file,
                            const std::function<bool(size_t, size_t)>& accept, size_t* a, size_t* p,
                            Record* r) {
  std::string text(base);
  LayoutCursor c;
  if (c.FeedAll(text) != text.size()) return false;
  uint32_t crc = c.InPayload() ? LayoutPayloadCrc(text, c) : 0;
  for (size_t k = 0;; ++k) {
    size_t p_min = g_file == std::string_view::npos ? t.lo : std::max(t.lo, g_file + k + 1);
    if (k >= a_lo && CloseWith(text, c, crc, t, p_min, p, r) && accept(k, *p)) return *a = k, true;
    bool was = c.InPayload();
    if (k >= a_hi || !Spend(1) || !c.Feed(g[k])) return false;
    text += g[k];
    if (c.InPayload()) crc = was ? Crc32cExtend(crc, &g[k], 1) : LayoutPayloadCrc(text, c);
  }
}

std::vector<Candidate> PartSearch::Truncations(size_t begin, size_t end) {
  std::vector<Candidate> out;
  Candidate c;
  for (size_t at = begin; at + 1 < end && Spend(1); ++at) {
    bool was = c.cursor.InPayload();
    if (!c.cursor.Feed(bytes_[at])) break;
    c.text += bytes_[at];
    c.end = at + 1;
    if (c.cursor.InPayload())
      c.crc = was ? Crc32cExtend(c.crc, &bytes_[at], 1) : LayoutPayloadCrc(c.text, c.cursor);
    out.push_back(c);
  }
  return out;
}

std::vector<size_t> PartSearch::GlueCuts(size_t pos, size_t e, const std::vector<Candidate>& cands,
                                         size_t max_cuts) {
  size_t cut = pos + LayoutCursor().FeedAll(At(pos, e));
  if (cut == e) return {e};
  std::vector<size_t> cuts;
  for (; cut > pos && cuts.size() < max_cuts; --cut) {
    for (const Candidate& c : cands) {
      LayoutCursor k = c.cursor;
      size_t n = k.FeedAll(At(cut, e));
      if (!Spend(n + 1)) return cuts;
      if (n == e - cut) {
        cuts.push_back(cut);
        break;
      }
    }
  }
  return cuts;
}

std::vector<long> PartSearch::Shifts(size_t a, size_t p, size_t a_min, size_t a_max, size_t p_min,
                                     size_t p_max) const {
  std::vector<long> d{0};
  for (size_t k = 1; k + a_min <= a && k + p_min <= p && bytes_[a - k] == bytes_[p - k]; ++k)
    d.push_back(-static_cast<long>(k));
  for (size_t k = 1; a + k <= a_max && p + k <= p_max && bytes_[a + k - 1] == bytes_[p + k - 1];
       ++k)
    d.push_back(static_cast<long>(k));
  return d;
}

bool PartSearch::TakeSuffix(const std::vector<Candidate>& cands, std::string_view g, size_t a_lo,
                            size_t g_file, const Tail& t,
                            const std::function<bool(size_t, size_t)>& accept, size_t* which,
                            size_t* a, size_t* p, Record* r) {
  std::vector<std::pair<uint32_t, size_t>> by_crc;
  for (size_t i = 0; i < cands.size(); ++i)
    if (cands[i].cursor.InPayload()) by_crc.emplace_back(cands[i].crc, i);
  std::sort(by_crc.begin(), by_crc.end());
  std::vector<uint64_t> maybe(1024, 0);  // by the low 16 bits: most lookups stop here
  for (const auto& [crc, i] : by_crc) maybe[(crc & 0xffff) >> 6] |= uint64_t{1} << (crc & 63);
  // Candidates in their payload take payload bytes g[a, k), then g[k, end)
  // (nothing, or the start of a record's end) and the tail: the crc runs
  // backwards from the record's value over g from k down and is looked up.
  auto take_run = [&](size_t k, uint32_t crc_after, size_t tail_p) {
    uint32_t reg = ~crc_after;
    for (size_t x = k;; --x) {
      const uint32_t v = ~reg;
      auto it = (maybe[(v & 0xffff) >> 6] >> (v & 63) & 1)
                    ? std::lower_bound(by_crc.begin(), by_crc.end(), std::make_pair(v, size_t{0}))
                    : by_crc.end();
      for (; x >= a_lo && it != by_crc.end() && it->first == v; ++it) {
        const Candidate& cand = cands[it->second];
        if (cand.end <= g_file + x &&
            Check(cand.text + std::string(g.substr(x)), tail_p, t.close, r) &&
            (*p = tail_p, accept(it->second, x)))
          return *which = it->second, *a = x, true;
      }
      if (x <= a_lo || !IsLayoutPayloadChar(g[x - 1]) || !Spend(1)) return false;
      reg = Unstep(reg, g[x - 1]);
    }
  };
  size_t k = g.size();  // where g's payload bytes end
  for (size_t q = g.rfind('"'); q != std::string_view::npos && g.size() - q < kEndBytes;
       q = q ? g.rfind('"', q - 1) : std::string_view::npos) {
    LayoutCursor d = LayoutCursor::InPayloadOf();
    if (d.FeedAll(g.substr(q)) == g.size() - q && (q == 0 || IsLayoutPayloadChar(g[q - 1]))) k = q;
  }
  if (!by_crc.empty() && k == g.size()) {
    for (const auto& [crc, tail_p] : t.want)
      if (tail_p >= t.lo && tail_p <= t.hi && take_run(k, crc, tail_p)) return true;
  } else if (!by_crc.empty()) {
    LayoutCursor d = LayoutCursor::InPayloadOf();
    d.FeedAll(g.substr(k));
    size_t rem = d.Remaining();
    uint32_t crc = 0;
    if (rem <= t.close + 1 - t.lo && t.close + 1 - rem <= t.hi) {
      size_t tail_p = t.close + 1 - rem;
      std::string end = std::string(g.substr(k)) + std::string(At(tail_p, t.close + 1));
      if (EndOf(end, &crc) && take_run(k, crc, tail_p)) return true;
    }
  }
  // Candidates elsewhere in the layout take only a few of the cuts: try each.
  for (size_t i = 0; i < cands.size(); ++i) {
    const Candidate& cand = cands[i];
    if (cand.cursor.InPayload()) continue;
    for (size_t x = a_lo; x < g.size(); ++x) {
      LayoutCursor c = cand.cursor;
      if (cand.end > g_file + x || !c.Feed(g[x])) continue;
      size_t n = c.FeedAll(g.substr(x + 1));
      if (!Spend(n + 1) || n != g.size() - x - 1) continue;
      std::string prefix = cand.text + std::string(g.substr(x));
      uint32_t crc = c.InPayload() ? LayoutPayloadCrc(prefix, c) : 0;
      if (CloseWith(prefix, c, crc, t, t.lo, p, r) && accept(i, x)) return *which = i, *a = x, true;
    }
  }
  return false;
}

}  // namespace crashbench::verifier_internal
