#include "harness/subject/command_acks.h"

#include <algorithm>

namespace crashbench {
namespace {

bool WriteLike(const std::string& call) {
  return call == "write" || call == "pwrite64" || call == "writev" || call == "pwritev" ||
         call == "pwritev2";
}

}  // namespace

std::optional<long long> ParseTaskId(const std::string& text) {
  if (text.empty() || text.size() > 15 || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoll(text);
}

std::vector<Ack> AcksFromEvents(const std::vector<TapEvent>& events, const std::string& path,
                                const std::string& bytes,
                                const std::optional<std::regex>& line_re) {
  // (end of the bytes written so far, the event that wrote up to there)
  std::vector<std::pair<long long, long long>> written;
  long long end = 0, last_seq = 0;
  for (const TapEvent& e : events) {
    if (!e.extra || e.path != path || !WriteLike(e.call)) continue;
    last_seq = e.seq;
    if (!e.result || *e.result <= 0) continue;
    end += *e.result;
    written.emplace_back(end, e.seq);
  }
  std::vector<Ack> acks;
  size_t start = 0;
  for (size_t nl = bytes.find('\n'); nl != std::string::npos; nl = bytes.find('\n', start)) {
    std::string line = bytes.substr(start, nl - start);
    start = nl + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::optional<long long> task;
    if (!line_re) {
      task = ParseTaskId(line);
    } else if (std::smatch m; std::regex_search(line, m, *line_re) && m.size() > 1) {
      task = ParseTaskId(m[1].str());
    }
    if (!task) continue;
    // The first write whose bytes reach past the newline carried it.
    const long long newline_end = static_cast<long long>(nl) + 1;
    auto it = std::lower_bound(
        written.begin(), written.end(), newline_end,
        [](const std::pair<long long, long long>& w, long long at) { return w.first < at; });
    acks.push_back({*task, it == written.end() ? last_seq : it->second});
  }
  return acks;
}

}  // namespace crashbench
