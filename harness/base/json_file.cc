#include "harness/base/json_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <iterator>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <vector>

#include "harness/base/sys.h"

namespace crashbench {
namespace {

using nlohmann::json;

struct TextPos {
  long long line = 1, col = 1;
  std::string ToString() const { return std::to_string(line) + ":" + std::to_string(col); }
};

// The bytes the parser reads, from memory or from a file in chunks (so a
// file is never held whole), with the position of what was read last. It
// knows just enough JSON to find where the last string began: the parser
// reports a key only after its closing quote.
class JsonSource {
 public:
  explicit JsonSource(std::string_view text) : data_(text) {}
  // Reads fd up to max_bytes; one byte more marks the file oversize.
  JsonSource(int fd, size_t max_bytes, size_t chunk)
      : fd_(fd), max_bytes_(max_bytes), chunk_(std::max<size_t>(chunk, 1)) {}

  bool AtEnd() {
    if (next_ < data_.size() || Refill()) return false;
    reached_end_ = true;
    return true;
  }
  const char& Current() const { return data_[next_]; }
  void Advance() {
    const char c = data_[next_++];
    last_ = next_pos_;
    if (c == '\n')
      ++next_pos_.line, next_pos_.col = 1;
    else
      ++next_pos_.col;
    if (!in_string_) {
      if (c == '"') in_string_ = true, string_start_ = last_;
    } else if (escaped_) {
      escaped_ = false;
    } else if (c == '\\') {
      escaped_ = true;
    } else if (c == '"') {
      in_string_ = false;
    }
  }
  TextPos last() const { return last_; }
  // Where a parse error is: the byte read last, or just past the end when
  // the input ended too soon.
  TextPos error_pos() const { return reached_end_ ? next_pos_ : last_; }
  TextPos string_start() const { return string_start_; }
  bool oversize() const { return oversize_; }
  int read_errno() const { return read_errno_; }

 private:
  bool Refill() {
    if (fd_ < 0 || done_) return false;
    const size_t want = std::min(chunk_.size(), max_bytes_ + 1 - total_);
    const ssize_t r = RetryOnEintr([&] { return ::read(fd_, chunk_.data(), want); });
    if (r <= 0) {
      read_errno_ = r < 0 ? errno : 0;
      done_ = true;
      return false;
    }
    total_ += static_cast<size_t>(r);
    if (total_ > max_bytes_) {
      oversize_ = done_ = true;
      return false;
    }
    data_ = std::string_view(chunk_.data(), static_cast<size_t>(r));
    next_ = 0;
    return true;
  }

  int fd_ = -1;
  size_t max_bytes_ = 0, total_ = 0;
  std::vector<char> chunk_;
  std::string_view data_;
  size_t next_ = 0;
  bool done_ = false, oversize_ = false, reached_end_ = false;
  int read_errno_ = 0;
  TextPos next_pos_, last_, string_start_;
  bool in_string_ = false, escaped_ = false;
};

// What nlohmann::json's parser reads through; the default one is the end.
class SourceIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  SourceIterator() = default;
  explicit SourceIterator(JsonSource* source) : source_(source) {}
  reference operator*() const { return source_->Current(); }
  SourceIterator& operator++() {
    source_->Advance();
    return *this;
  }
  bool operator==(const SourceIterator& o) const { return AtEnd() == o.AtEnd(); }

 private:
  bool AtEnd() const { return !source_ || source_->AtEnd(); }
  JsonSource* source_ = nullptr;
};

// Thrown out of the parser's callback to stop at the first refusal.
struct Refusal {
  TextPos at;
  std::string what;
};

// The checks the parser cannot be told to make, run on its events.
class DocumentChecks {
 public:
  DocumentChecks(const JsonSource& source, const JsonLimits& limits, const JsonObjectHook& hook)
      : source_(source), limits_(limits), hook_(hook) {}

  // depth: how many containers enclose the event's value (a key counts its object).
  bool operator()(int depth, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        if (depth >= limits_.max_depth)
          throw Refusal{source_.last(),
                        "nested deeper than " + std::to_string(limits_.max_depth) + " levels"};
        if (event == json::parse_event_t::object_start) {
          if (keys_by_depth_.size() <= static_cast<size_t>(depth) + 1)
            keys_by_depth_.resize(static_cast<size_t>(depth) + 2);
          keys_by_depth_[static_cast<size_t>(depth) + 1].clear();
        }
        break;
      case json::parse_event_t::key:
        CheckKey(keys_by_depth_[static_cast<size_t>(depth)], parsed.get_ref<const std::string&>());
        break;
      case json::parse_event_t::value:
        if (parsed.is_string()) CheckLength(parsed.get_ref<const std::string&>());
        break;
      case json::parse_event_t::object_end:
        if (hook_) hook_(parsed);
        break;
      case json::parse_event_t::array_end:
        break;
    }
    return true;
  }

 private:
  void CheckLength(const std::string& s) const {
    if (limits_.max_string_bytes && s.size() > limits_.max_string_bytes)
      throw Refusal{source_.string_start(), "a string of " + std::to_string(s.size()) +
                                                " bytes, longer than the limit of " +
                                                std::to_string(limits_.max_string_bytes) + " (\"" +
                                                Excerpt(s, 40) + "\")"};
  }
  void CheckKey(std::unordered_map<std::string, TextPos>& seen, const std::string& key) const {
    CheckLength(key);
    auto [first, inserted] = seen.emplace(key, source_.string_start());
    if (!inserted)
      throw Refusal{source_.string_start(), "duplicate key \"" + Excerpt(key) + "\" (first at " +
                                                first->second.ToString() +
                                                "): a key may appear only once in an object"};
  }

  const JsonSource& source_;
  const JsonLimits& limits_;
  const JsonObjectHook& hook_;
  // The keys seen so far in the open object at each depth.
  std::vector<std::unordered_map<std::string, TextPos>> keys_by_depth_;
};

std::string SizeText(size_t bytes) {
  if (bytes % (1 << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes % (1 << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

Status Oversize(const std::string& source, size_t limit, long long actual) {
  return Status::Error(source + ": larger than the limit of " + SizeText(limit) +
                       (actual >= 0 ? " (" + std::to_string(actual) + " bytes)" : ""));
}

// nlohmann's message without its "[json.exception.parse_error.101] parse
// error at line 1, column 5: " prefix (the position is ours) and with the
// token it quotes ("last read: '...'", as long as an unterminated string) cut.
std::string ParserMessage(const std::string& what) {
  size_t p = what.find("syntax error");
  if (p == std::string::npos) p = what.find("] ") == std::string::npos ? 0 : what.find("] ") + 2;
  std::string m = what.substr(p);
  const std::string quote = "last read: '";
  if (size_t t = m.find(quote); t != std::string::npos) {
    t += quote.size();
    size_t end = m.find("'; expected", t);
    if (end == std::string::npos) end = m.rfind('\'');
    if (end != std::string::npos && end > t)
      m = m.substr(0, t) + Excerpt(std::string_view(m).substr(t, end - t), 40) + m.substr(end);
  }
  return Excerpt(m, 300);
}

Result<json> Parse(JsonSource& source, const std::string& name, const JsonLimits& limits,
                   const JsonObjectHook& hook) {
  DocumentChecks checks(source, limits, hook);
  try {
    return json::parse(SourceIterator(&source), SourceIterator(),
                       [&checks](int depth, json::parse_event_t event, json& parsed) {
                         return checks(depth, event, parsed);
                       });
  } catch (const Refusal& r) {
    return Status::Error(name + ":" + r.at.ToString() + ": " + r.what);
  } catch (const json::exception& e) {
    if (source.read_errno()) return ErrnoStatus("cannot read " + name, source.read_errno());
    if (source.oversize()) return Oversize(name, limits.max_bytes, -1);
    return Status::Error(name + ":" + source.error_pos().ToString() +
                         ": invalid JSON: " + ParserMessage(e.what()));
  }
}

std::string FileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "a special file";
}

}  // namespace

Result<json> ReadJsonFile(const std::string& path, const JsonLimits& limits,
                          const JsonObjectHook& hook) {
  // O_NONBLOCK: opening a FIFO without a writer would wait for one forever.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd.valid()) return ErrnoStatus("cannot read " + path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("cannot read " + path, errno);
  if (!S_ISREG(st.st_mode))
    return Status::Error("cannot read " + path + ": " + FileKind(st.st_mode) +
                         ", not a regular file");
  if (static_cast<unsigned long long>(st.st_size) > limits.max_bytes)
    return Oversize(path, limits.max_bytes, st.st_size);
  JsonSource source(fd.get(), limits.max_bytes, limits.read_chunk);
  return Parse(source, path, limits, hook);
}

Result<json> ParseJsonText(std::string_view text, const std::string& source,
                           const JsonLimits& limits, const JsonObjectHook& hook) {
  if (text.size() > limits.max_bytes)
    return Oversize(source, limits.max_bytes, static_cast<long long>(text.size()));
  JsonSource bytes(text);
  return Parse(bytes, source, limits, hook);
}

std::string Excerpt(std::string_view s, size_t max) {
  size_t cut = std::min(s.size(), max);
  if (cut < s.size())
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  std::string out;
  for (size_t i = 0; i < cut; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (cut < s.size()) out += "... (" + std::to_string(s.size()) + " bytes)";
  return out;
}

std::string JsonExcerpt(const json& value, size_t max) {
  // A container of more elements than the excerpt has room for is named, not dumped.
  if (value.is_array() && value.size() > max)
    return "an array of " + std::to_string(value.size()) + " elements";
  if (value.is_object() && value.size() > max)
    return "an object of " + std::to_string(value.size()) + " keys";
  return Excerpt(value.dump(-1, ' ', false, json::error_handler_t::replace), max);
}

}  // namespace crashbench
