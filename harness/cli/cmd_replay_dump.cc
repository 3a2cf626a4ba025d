#include <algorithm>
#include <cstdio>
#include <sstream>

#include "harness/base/sys.h"
#include "harness/cli/replay_dump.h"

namespace crashbench {
namespace {

// 16 bytes a row: offset, hex, printable ASCII. The row holding `mark` starts
// with '>' and is followed by a caret under the marked byte and `label`.
std::string HexDump(const std::string& bytes, long long base, long long mark,
                    const std::string& label) {
  std::ostringstream out;
  for (size_t row = 0; row < bytes.size(); row += 16) {
    const long long at = base + static_cast<long long>(row);
    const bool marked = mark >= at && mark < at + 16;
    char head[32];
    std::snprintf(head, sizeof head, "%c %08llx  ", marked ? '>' : ' ', at);
    std::string hex, text;
    for (size_t i = row; i < row + 16; ++i) {
      if (i < bytes.size()) {
        char h[4];
        std::snprintf(h, sizeof h, "%02x ", static_cast<unsigned char>(bytes[i]));
        hex += h;
        const unsigned char c = static_cast<unsigned char>(bytes[i]);
        text += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.';
      } else {
        hex += "   ";
      }
      if (i == row + 7) hex += ' ';
    }
    out << head << hex << " |" << text << "|\n";
    if (marked) {
      const long long col = mark - at;
      out << std::string(12 + static_cast<size_t>(col) * 3 + (col > 7 ? 1 : 0), ' ') << "^^ offset "
          << mark << label << "\n";
    }
  }
  return out.str();
}

struct Dump {
  const std::string& bytes;
  long long size;
  int context;

  // The rows around `at`, the byte at `at` marked (unless past the end).
  std::string Window(long long at, const std::string& label = "") const {
    long long from = std::max(0LL, at - context) / 16 * 16;
    if (from >= size) from = std::max(0LL, size - 16) / 16 * 16;
    const long long to = std::min(size, std::max(at, from) + context + 1);
    return HexDump(bytes.substr(static_cast<size_t>(from), static_cast<size_t>(to - from)), from,
                   at < size ? at : -1, label);
  }

  // A record followed to the next newline (or the end of the file).
  std::string ToNewline(long long offset) const {
    const size_t nl = bytes.find('\n', static_cast<size_t>(offset));
    const long long end = nl == std::string::npos ? size : static_cast<long long>(nl);
    if (end <= offset + context) return "";
    return "    ... the record from offset " + std::to_string(offset) + " ends at offset " +
           std::to_string(end) +
           (nl == std::string::npos ? " (end of file, no newline: cut short)" : " (newline)") +
           ":\n" + Window(nl == std::string::npos ? end - 1 : end);
  }

  // Where the torn bytes stop, as the verifier found it, and what follows.
  std::string TornBoundary(long long offset, long long end) const {
    std::string text = "    ... the torn bytes from offset " + std::to_string(offset) +
                       " stop at offset " + std::to_string(end);
    if (end >= size)
      return text + " (end of file: cut short):\n" +
             Window(size - 1, ": the last torn byte, then the end of the file");
    if (bytes[static_cast<size_t>(end)] == '\n')
      return text + " (a newline follows: nothing finished the record):\n" +
             Window(end, ": the newline after the torn bytes");
    return text + "; another writer's bytes begin there:\n" +
           Window(end, ": another writer's bytes begin here (the torn bytes end before it)");
  }
};

}  // namespace

std::string DumpAround(const std::string& dir, const std::string& file, long long offset,
                       long long torn_end, int context) {
  Result<std::string> bytes = ReadFileToString(dir + "/" + file);
  if (!bytes.ok()) return "    (cannot read " + file + ": " + bytes.status().message() + ")\n";
  const long long size = static_cast<long long>(bytes->size());
  if (size == 0) return "    (" + file + " is empty: 0 bytes)\n";
  if (offset < 0) offset = 0;
  const Dump dump{*bytes, size, context};
  std::string text = "    " + file + ": " + std::to_string(size) + " bytes";
  if (offset >= size) text += "; the anomaly is at its end (offset " + std::to_string(offset) + ")";
  text += "\n" + dump.Window(offset);
  if (offset >= size) return text;
  return text + (torn_end > offset ? dump.TornBoundary(offset, torn_end) : dump.ToNewline(offset));
}

}  // namespace crashbench
