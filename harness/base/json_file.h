// The one way crashbench reads a JSON file a user hands it (scenario files,
// results files, --acked lists): whatever the file holds, the reader returns
// within bounded time and memory, with an error that names the file and the
// place, or the parsed document.
//
//   Result<nlohmann::json> doc = ReadJsonFile(path, JsonLimits{.max_bytes = 16 << 20});
//   if (!doc.ok()) { print doc.status().message(); exit 2; }
//
// What it refuses, and why each bound exists:
// - anything not a regular file (/dev/zero never ends, a FIFO without a writer
//   never starts; it is opened O_NONBLOCK and checked with fstat, so neither
//   can block);
// - more than max_bytes (read at most max_bytes + 1 bytes, whatever the size
//   the file claims);
// - nesting deeper than max_depth (every consumer of a document walks it
//   recursively: dump(), copies, comparison; 100,000 levels overflow the stack);
// - a string or key longer than max_string_bytes, when set;
// - the same key twice in one object: the parser would keep the last one, so a
//   pasted line could silently change what runs. Both positions are named.
// Errors never hold more than an excerpt of a rejected value (Excerpt()).
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "harness/base/status.h"

namespace crashbench {

struct JsonLimits {
  size_t max_bytes = 64 << 20;  // results files: thousands of trials with their details
  int max_depth = 64;           // crashbench's own documents nest about 6 deep
  size_t max_string_bytes = 0;  // 0: unbounded
  // ReadJsonFile reads this many bytes at a time; small ones are for tests
  // and the fuzzer, so that every place in a document falls on a chunk's edge.
  size_t read_chunk = 64 << 10;
};

// Called with each object as soon as it is complete, in place in its parent:
// it may shrink the object, so that a large document is never held whole (the
// report keeps only the trials it shows).
using JsonObjectHook = std::function<void(nlohmann::json& object)>;

// Reads and parses the file at path. Errors start with the path
// ("x.json:3:14: duplicate key ...", "cannot read x.json: ...").
Result<nlohmann::json> ReadJsonFile(const std::string& path, const JsonLimits& limits = {},
                                    const JsonObjectHook& hook = nullptr);

// The same checks for text already in memory; `source` names it in errors.
Result<nlohmann::json> ParseJsonText(std::string_view text, const std::string& source,
                                     const JsonLimits& limits = {},
                                     const JsonObjectHook& hook = nullptr);

// At most max bytes of s (cut at a UTF-8 character boundary), with control
// characters escaped, and "... (N bytes)" when cut: safe to print in one line.
std::string Excerpt(std::string_view s, size_t max = 80);
// A JSON value as text for an error message, cut as Excerpt cuts it.
std::string JsonExcerpt(const nlohmann::json& value, size_t max = 80);

}  // namespace crashbench
