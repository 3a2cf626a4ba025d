// CheckJsonText: is a text exactly one JSON value, cut short, or damaged?
// nlohmann/json's SAX parser reads it without building a document; a nesting
// scan first bounds the depth (a reader's recursion would not survive it).
#include <nlohmann/json.hpp>

#include "harness/base/json_file.h"
#include "harness/oracle/oracle_internal.h"

namespace crashbench::oracle_internal {
namespace {

// Says where the first syntax error is, and the parser's words for it.
class ProbeSax final : public nlohmann::json_sax<nlohmann::json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    failed = true;
    chars_read = position;
    what = e.what();
    return false;
  }

  bool failed = false;
  size_t chars_read = 0;  // 1-based position of the offending byte; size()+1 at end of input
  std::string what;
};

// The parser's message without its "[json.exception...] parse error at line
// 1, column 5: " prefix (the oracle gives its own position) and without the
// token it quotes ("last read: '...'" can be a whole unterminated string).
std::string ParserMessage(const std::string& what) {
  size_t p = what.find("syntax error");
  if (p == std::string::npos) p = what.find("] ") == std::string::npos ? 0 : what.find("] ") + 2;
  std::string m = what.substr(p);
  const std::string quote = "; last read: '";
  if (size_t t = m.find(quote); t != std::string::npos) {
    const size_t expected = m.rfind("'; expected");
    m = m.substr(0, t) + (expected != std::string::npos && expected >= t + quote.size()
                              ? m.substr(expected + 1)
                              : std::string());
  }
  return Excerpt(m, 200);
}

// Index of the bracket that opens level kMaxJsonDepth + 1, outside strings;
// npos when the text never nests that deep.
size_t TooDeepAt(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxJsonDepth) return i;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return std::string_view::npos;
}

}  // namespace

JsonCheck CheckJsonText(std::string_view text) {
  JsonCheck check;
  if (const size_t deep = TooDeepAt(text); deep != std::string_view::npos) {
    check.outcome = JsonCheck::kBad;
    check.error_index = deep;
    check.message = "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels";
    return check;
  }
  ProbeSax sax;
  const bool ok = nlohmann::json::sax_parse(text.begin(), text.end(), &sax);
  if (ok && !sax.failed) return check;
  if (sax.chars_read > text.size()) {
    check.outcome = JsonCheck::kCutShort;
    check.error_index = text.size();
    return check;
  }
  check.outcome = JsonCheck::kBad;
  check.error_index = sax.chars_read == 0 ? 0 : sax.chars_read - 1;
  check.message = ParserMessage(sax.what);
  return check;
}

}  // namespace crashbench::oracle_internal
