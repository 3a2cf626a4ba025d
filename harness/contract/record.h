// The record contract of DESIGN.md: one JSON object per record,
//
//   {"task":12,"seq":3,"of":16,"payload":"...","crc":"1a2b3c4d"}
//
// with crc = CRC-32C of "task:seq:of:payload", 8 lowercase hex digits, and the
// payload printable ASCII, deterministic from (seed, task, seq).
//
// Encoding is hand-written (it runs in the workers' hot path and in forked
// children); parsing goes through nlohmann/json, so that anything an external
// program writes is judged by a real JSON parser.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crashbench {

struct Record {
  long long task = 0;
  long long seq = 0;
  long long of = 0;
  std::string payload;
  std::string crc;  // as written in the record
};

// Deterministic payload of exactly `bytes` characters from [A-Za-z0-9_-].
std::string MakePayload(uint64_t seed, long long task, long long seq, size_t bytes);
// Same, into a caller-owned buffer (no allocation once the buffer is big enough).
void FillPayload(uint64_t seed, long long task, long long seq, size_t bytes, std::string* out);

// crc field value for the given fields.
std::string RecordCrc(long long task, long long seq, long long of, std::string_view payload);

// The record for (seed, task, seq) with a payload of `bytes` characters,
// generated straight into *out (no intermediate payload buffer): equal to
// EncodeRecord(task, seq, of, MakePayload(seed, task, seq, bytes)).
void EncodeGeneratedRecordTo(uint64_t seed, long long task, long long seq, long long of,
                             size_t bytes, std::string* out);

// One record as JSON text, without a trailing newline. The payload must need
// no JSON escaping (MakePayload's never does).
std::string EncodeRecord(long long task, long long seq, long long of, std::string_view payload);
void EncodeRecordTo(long long task, long long seq, long long of, std::string_view payload,
                    std::string* out);

enum class ParseOutcome {
  kValid,      // well-formed record, crc matches
  kBadCrc,     // well-formed record, crc does not match
  kBadFields,  // a JSON object but not a record (missing or mistyped fields)
  kBadJson,    // not one complete JSON value
};

// Parses exactly one record from text (no surrounding bytes other than
// whitespace). *record is filled for kValid and kBadCrc.
ParseOutcome ParseRecord(std::string_view text, Record* record);

// True when the parsed JSON object has the record's fields with the right
// types; fills *record and says whether the crc matches.
ParseOutcome RecordFromJson(const void* json_object, Record* record);

}  // namespace crashbench
