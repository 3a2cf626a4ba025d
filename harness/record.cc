#include "harness/record.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "harness/crc32c.h"

namespace crashbench {
namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// 64 symbols, none of which needs JSON escaping, so one 6-bit slice of a
// random word picks one character with no division.
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static_assert(sizeof(kAlphabet) == 65);

void AppendInt(std::string* out, long long v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

}  // namespace

void FillPayload(uint64_t seed, long long task, long long seq, size_t bytes, std::string* out) {
  out->resize(bytes);
  char* p = out->data();
  uint64_t state = seed ^ (static_cast<uint64_t>(task) * 0xD1B54A32D192ED03ull) ^
                   (static_cast<uint64_t>(seq) * 0x8CB92BA72F3D8DD7ull);
  size_t i = 0;
  for (; i + 10 <= bytes; i += 10) {  // 10 characters of 6 bits from one 64-bit draw
    uint64_t r = SplitMix64(state);
    for (int k = 0; k < 10; ++k, r >>= 6) p[i + static_cast<size_t>(k)] = kAlphabet[r & 63];
  }
  if (i < bytes) {
    uint64_t r = SplitMix64(state);
    for (; i < bytes; ++i, r >>= 6) p[i] = kAlphabet[r & 63];
  }
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

ParseOutcome ParseRecord(std::string_view text, Record* record) {
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded()) return ParseOutcome::kBadJson;
  return RecordFromJson(&j, record);
}

}  // namespace crashbench
