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

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

void AppendInt(std::string* out, long long v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

}  // namespace

void FillPayload(uint64_t seed, long long task, long long seq, size_t bytes, std::string* out) {
  out->resize(bytes);
  uint64_t state = seed ^ (static_cast<uint64_t>(task) * 0xD1B54A32D192ED03ull) ^
                   (static_cast<uint64_t>(seq) * 0x8CB92BA72F3D8DD7ull);
  size_t i = 0;
  while (i < bytes) {
    uint64_t r = SplitMix64(state);
    // 10 characters of 6 bits each from one 64-bit draw (62 symbols: a tiny bias is fine).
    for (int k = 0; k < 10 && i < bytes; ++k, r >>= 6) (*out)[i++] = kAlphabet[(r & 63) % 62];
  }
}

std::string MakePayload(uint64_t seed, long long task, long long seq, size_t bytes) {
  std::string p;
  FillPayload(seed, task, seq, bytes, &p);
  return p;
}

std::string RecordCrc(long long task, long long seq, long long of, std::string_view payload) {
  std::string head;
  AppendInt(&head, task);
  head += ':';
  AppendInt(&head, seq);
  head += ':';
  AppendInt(&head, of);
  head += ':';
  uint32_t c = Crc32cExtend(Crc32c(head.data(), head.size()), payload.data(), payload.size());
  return Crc32cHex(c);
}

void EncodeRecordTo(long long task, long long seq, long long of, std::string_view payload,
                    std::string* out) {
  out->clear();
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
