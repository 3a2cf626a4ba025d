// The integrity table for a narrow terminal: one block a fault, a line a
// scenario that met it. The wide table is a line a scenario with a column a
// fault, about 350 columns for the default matrix; here no line is longer
// than the width asked for, whatever the names, and the cells are the wide
// table's own (TableCell), marks included.
#include <algorithm>
#include <sstream>

#include "results/results.h"

namespace crashbench {
namespace {

// Columns a UTF-8 string takes: one a character (its first byte).
size_t Columns(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The byte offset where the first `columns` characters of s end.
size_t BytesOfColumns(const std::string& s, size_t columns) {
  size_t i = 0;
  for (size_t seen = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == columns) break;
  }
  return i;
}

// `text` as lines of at most `width` columns, each starting with `indent`
// spaces: broken at spaces, and inside a word only when it alone is too long.
void Wrap(const std::string& text, size_t indent, size_t width, std::ostringstream& out) {
  const size_t room = width > indent ? width - indent : 1;
  std::istringstream words(text);
  std::string word, line;
  auto flush = [&] {
    if (!line.empty()) out << std::string(indent, ' ') << line << "\n";
    line.clear();
  };
  while (words >> word) {
    if (!line.empty() && Columns(line) + 1 + Columns(word) <= room) {
      line += " " + word;
      continue;
    }
    flush();
    while (Columns(word) > room) {
      const size_t cut = BytesOfColumns(word, room);
      out << std::string(indent, ' ') << word.substr(0, cut) << "\n";
      word = word.substr(cut);
    }
    line = word;
  }
  flush();
}

constexpr size_t kIndent = 2;      // a scenario line within its fault's block
constexpr size_t kCellIndent = 6;  // a cell below a scenario too long to share its line

}  // namespace

std::string RenderNarrowTable(const TableGrid& grid, size_t width) {
  width = std::max<size_t>(width, 20);
  // Scenario names share one column, as wide as the longest one that leaves
  // room for the cells beside it; a longer name takes a line of its own.
  size_t widest_cell = 0, label_width = 0;
  for (const auto& [where, cell] : grid.cells) widest_cell = std::max(widest_cell, Columns(cell));
  const size_t label_room =
      width > kIndent + 2 + widest_cell ? width - kIndent - 2 - widest_cell : width / 2;
  for (const std::string& row : grid.rows)
    if (Columns(row) <= label_room) label_width = std::max(label_width, Columns(row));

  std::ostringstream out;
  out << "scenario x fault, one block a fault:\n";
  for (const std::string& col : grid.cols) {
    out << "\n";
    Wrap("fault " + col, 0, width, out);
    for (const std::string& row : grid.rows) {
      auto it = grid.cells.find({row, col});
      if (it == grid.cells.end()) continue;
      const std::string& cell = it->second;
      if (Columns(row) <= label_width && kIndent + label_width + 2 + Columns(cell) <= width) {
        out << std::string(kIndent, ' ') << row << std::string(label_width - Columns(row) + 2, ' ')
            << cell << "\n";
        continue;
      }
      Wrap(row, kIndent, width, out);
      Wrap(cell, kCellIndent, width, out);
    }
  }
  out << "\n";
  Wrap(TableLegend(), 0, width, out);
  return out.str();
}

}  // namespace crashbench
