#include "harness/contract/record.h"

#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>

#include "harness/base/crc32c.h"

namespace crashbench {
namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Payload characters: 0x23 '#' .. 0x63 'c' without 0x5C '\\': 64 printable
// symbols, none of which needs JSON escaping, and neither '"' nor '{', so a
// payload can never look like the start of a record.
// Eight characters come from one 64-bit draw, computed on all eight bytes at
// once (no table, no branch): x in 0..63, c = 0x23 + x + (x >= 57).
inline uint64_t EightPayloadChars(uint64_t r) {
  constexpr uint64_t kLow6 = 0x3F3F3F3F3F3F3F3Full, kOnes = 0x0101010101010101ull;
  const uint64_t x = r & kLow6;
  const uint64_t at_least_57 = ((x + 7 * kOnes) >> 6) & kOnes;  // x + 7 >= 64, no carry out
  return x + 0x23 * kOnes + at_least_57;
}

void AppendInt(std::string* out, long long v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

}  // namespace

namespace {
void FillPayloadSpan(uint64_t seed, long long task, long long seq, size_t bytes, char* p) {
  uint64_t state = seed ^ (static_cast<uint64_t>(task) * 0xD1B54A32D192ED03ull) ^
                   (static_cast<uint64_t>(seq) * 0x8CB92BA72F3D8DD7ull);
  // SplitMix64 seeds a xorshift64 stream: cheap per draw, well mixed per record.
  uint64_t x = SplitMix64(state) | 1;
  size_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const uint64_t chars = EightPayloadChars(x);
    std::memcpy(p + i, &chars, 8);  // little-endian: byte k is character k
  }
  if (i < bytes) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    uint64_t chars = EightPayloadChars(x);
    for (; i < bytes; ++i, chars >>= 8) p[i] = static_cast<char>(chars & 0xFF);
  }
}
}  // namespace

void FillPayload(uint64_t seed, long long task, long long seq, size_t bytes, std::string* out) {
  out->resize(bytes);
  FillPayloadSpan(seed, task, seq, bytes, out->data());
}

std::string MakePayload(uint64_t seed, long long task, long long seq, size_t bytes) {
  std::string p;
  FillPayload(seed, task, seq, bytes, &p);
  return p;
}

namespace {
// "task:seq:of:" into buf; returns its length.
size_t CrcHead(long long task, long long seq, long long of, char* buf, size_t cap) {
  char* p = buf;
  char* end = buf + cap;
  for (long long v : {task, seq, of}) {
    p = std::to_chars(p, end, v).ptr;
    *p++ = ':';
  }
  return static_cast<size_t>(p - buf);
}
}  // namespace

std::string RecordCrc(long long task, long long seq, long long of, std::string_view payload) {
  char head[80];
  size_t n = CrcHead(task, seq, of, head, sizeof head);
  return Crc32cHex(Crc32cExtend(Crc32c(head, n), payload.data(), payload.size()));
}

void EncodeRecordTo(long long task, long long seq, long long of, std::string_view payload,
                    std::string* out) {
  out->clear();
  out->reserve(payload.size() + 96);
  out->append("{\"task\":");
  AppendInt(out, task);
  out->append(",\"seq\":");
  AppendInt(out, seq);
  out->append(",\"of\":");
  AppendInt(out, of);
  out->append(",\"payload\":\"");
  out->append(payload);
  out->append("\",\"crc\":\"");
  out->append(RecordCrc(task, seq, of, payload));
  out->append("\"}");
}

void EncodeGeneratedRecordTo(uint64_t seed, long long task, long long seq, long long of,
                             size_t bytes, std::string* out) {
  out->clear();
  out->reserve(bytes + 96);
  out->append("{\"task\":");
  AppendInt(out, task);
  out->append(",\"seq\":");
  AppendInt(out, seq);
  out->append(",\"of\":");
  AppendInt(out, of);
  out->append(",\"payload\":\"");
  const size_t at = out->size();
  out->resize(at + bytes);
  FillPayloadSpan(seed, task, seq, bytes, out->data() + at);
  const std::string crc = RecordCrc(task, seq, of, std::string_view(out->data() + at, bytes));
  out->append("\",\"crc\":\"");
  out->append(crc);
  out->append("\"}");
}

std::string EncodeRecord(long long task, long long seq, long long of, std::string_view payload) {
  std::string out;
  EncodeRecordTo(task, seq, of, payload, &out);
  return out;
}

ParseOutcome RecordFromJson(const void* json_object, Record* record) {
  const auto& j = *static_cast<const nlohmann::json*>(json_object);
  if (!j.is_object()) return ParseOutcome::kBadFields;
  auto integer = [&](const char* key, long long* v) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return false;
    *v = it->get<long long>();
    return true;
  };
  auto text = [&](const char* key, std::string* v) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return false;
    *v = it->get<std::string>();
    return true;
  };
  Record r;
  if (!integer("task", &r.task) || !integer("seq", &r.seq) || !integer("of", &r.of) ||
      !text("payload", &r.payload) || !text("crc", &r.crc))
    return ParseOutcome::kBadFields;
  if (r.task < 0 || r.seq < 0 || r.of <= 0 || r.seq >= r.of) return ParseOutcome::kBadFields;
  bool crc_ok = r.crc == RecordCrc(r.task, r.seq, r.of, r.payload);
  *record = std::move(r);
  return crc_ok ? ParseOutcome::kValid : ParseOutcome::kBadCrc;
}

namespace {

// Reads a JSON non-negative integer without leading zeros at *p.
bool TakeInt(std::string_view& rest, long long* v) {
  if (rest.empty() || rest[0] < '0' || rest[0] > '9') return false;
  if (rest[0] == '0' && rest.size() > 1 && rest[1] >= '0' && rest[1] <= '9') return false;
  auto r = std::from_chars(rest.data(), rest.data() + rest.size(), *v);
  if (r.ec != std::errc()) return false;
  rest.remove_prefix(static_cast<size_t>(r.ptr - rest.data()));
  return true;
}

bool TakeLiteral(std::string_view& rest, std::string_view lit) {
  if (rest.substr(0, lit.size()) != lit) return false;
  rest.remove_prefix(lit.size());
  return true;
}

// A JSON string body that needs no unescaping: printable ASCII, no '"' or '\\'.
bool TakePlainString(std::string_view& rest, std::string_view* out) {
  const void* quote = std::memchr(rest.data(), '"', rest.size());
  if (!quote) return false;
  const size_t n = static_cast<size_t>(static_cast<const char*>(quote) - rest.data());
  // Eight bytes at a time: a byte below 0x20, at or above 0x7F, or equal to
  // '\\' sets its high bit in `bad` (exact forms of the usual bit tricks).
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
  uint64_t bad = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t v;
    std::memcpy(&v, rest.data() + i, 8);
    const uint64_t below_20 = (v - 0x20 * kOnes) & ~v;
    const uint64_t from_7f = v + kOnes;  // high bit: byte >= 0x7F (v itself has none if below)
    const uint64_t bs = v ^ (0x5C * kOnes);
    const uint64_t is_bs = (bs - kOnes) & ~bs;
    bad |= (below_20 | from_7f | v | is_bs) & kHigh;
  }
  for (; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(rest[i]);
    bad |= (c < 0x20 || c > 0x7E || c == '\\') ? kHigh : 0;
  }
  if (bad) return false;
  *out = rest.substr(0, n);
  rest.remove_prefix(n + 1);
  return true;
}

// The exact encoding EncodeRecord produces (and most writers do). Returns
// false when the text is anything else, to be judged by the full parser.
bool ParseCanonical(std::string_view text, ParseOutcome* outcome, Record* record) {
  std::string_view rest = text, payload, crc;
  Record r;
  if (!TakeLiteral(rest, "{\"task\":") || !TakeInt(rest, &r.task) ||
      !TakeLiteral(rest, ",\"seq\":") || !TakeInt(rest, &r.seq) || !TakeLiteral(rest, ",\"of\":") ||
      !TakeInt(rest, &r.of) || !TakeLiteral(rest, ",\"payload\":\"") ||
      !TakePlainString(rest, &payload) || !TakeLiteral(rest, ",\"crc\":\"") ||
      !TakePlainString(rest, &crc) || !TakeLiteral(rest, "}"))
    return false;
  while (!rest.empty() && (rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r'))
    rest.remove_prefix(1);
  if (!rest.empty()) return false;
  if (r.of <= 0 || r.seq >= r.of) {
    *outcome = ParseOutcome::kBadFields;
    return true;
  }
  r.payload.assign(payload);
  r.crc.assign(crc);
  const bool crc_ok = r.crc == RecordCrc(r.task, r.seq, r.of, r.payload);
  *record = std::move(r);
  *outcome = crc_ok ? ParseOutcome::kValid : ParseOutcome::kBadCrc;
  return true;
}

}  // namespace

ParseOutcome ParseRecord(std::string_view text, Record* record) {
  ParseOutcome fast;
  if (ParseCanonical(text, &fast, record)) return fast;
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded()) return ParseOutcome::kBadJson;
  return RecordFromJson(&j, record);
}

}  // namespace crashbench
