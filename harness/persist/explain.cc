#include "harness/persist/explain.h"

#include <algorithm>
#include <map>

namespace crashbench {
namespace {

const Op& At(const OpLog& log, int i) { return log.ops[static_cast<size_t>(i)]; }

bool Dropped(const CrashState& c, int i) {
  return std::binary_search(c.dropped.begin(), c.dropped.end(), i);
}

const PartialWrite* PartialOf(const CrashState& c, int i) {
  for (const PartialWrite& p : c.partial)
    if (p.op == i) return &p;
  return nullptr;
}

// The file `name` points at after the issued ops, dropped or not: the file a
// reader was promised there.
FileId IssuedFile(const OpLog& log, int cut, const std::string& name) {
  auto it = log.initial.entries.find(name);
  FileId id = it == log.initial.entries.end() ? -1 : it->second;
  for (int i = 0; i < cut; ++i) {
    const Op& op = At(log, i);
    if (op.kind == OpKind::kCreate && op.path == name) id = op.file;
    if ((op.kind == OpKind::kRename || op.kind == OpKind::kLink) && op.path2 == name) id = op.file;
    if ((op.kind == OpKind::kRename || op.kind == OpKind::kUnlink) && op.path == name) id = -1;
  }
  return id;
}

bool Touches(const Op& op, FileId file, const std::string& name) {
  if (IsDataOp(op.kind)) return file >= 0 && op.file == file;
  if (IsDirOp(op.kind))
    return op.path == name || op.path2 == name || (file >= 0 && op.file == file);
  return false;
}

std::string DescribePartial(const OpLog& log, const PartialWrite& p) {
  const std::string op = DescribeOp(log, p.op);
  switch (p.kind) {
    case PartialWrite::kPrefix:
      return "only the first " + std::to_string(p.keep) + " bytes of " + op + " persisted";
    case PartialWrite::kZeros:
      return "the size grown by " + op + " persisted, its bytes did not: zeros";
    case PartialWrite::kGarbage:
      return "the size grown by " + op + " persisted over old blocks: garbage";
  }
  return op;
}

}  // namespace

std::vector<std::string> DroppedFor(const ExploredState& s, const std::string& name, size_t max,
                                    size_t* total) {
  const OpLog& log = s.facts.log();
  const FileId file = IssuedFile(log, s.crash.cut, name);
  std::vector<std::string> out;
  size_t n = 0;
  for (int i = 0; i < s.crash.cut; ++i) {
    if (!Touches(At(log, i), file, name)) continue;
    const PartialWrite* p = PartialOf(s.crash, i);
    if (!Dropped(s.crash, i) && !p) continue;
    if (++n <= max) out.push_back(p ? DescribePartial(log, *p) : DescribeOp(log, i));
  }
  if (total) *total = n;
  return out;
}

std::string ExplainAnomaly(const PersistenceModel& model, const ExploredState& s,
                           const Anomaly& anomaly) {
  const OpLog& log = s.facts.log();
  const CrashState& c = s.crash;
  const std::string& name = anomaly.file;
  const FileId file = IssuedFile(log, c.cut, name);
  std::string out = std::string(model.name()) + ": crash after " +
                    (c.cut > 0 ? DescribeOp(log, c.cut - 1) : std::string("nothing"));
  const int last = LastPersisted(log, c);
  out += "; last persisted " + (last >= 0 ? DescribeOp(log, last) : std::string("nothing"));

  // The first dropped (or partial) data op on the file, and the dir op that
  // put the file at its name, if it persisted.
  int first_data = -1, named_by = -1, lost_name = -1;
  std::vector<int> kept_data;  // data ops on the file that persisted whole
  for (int i = 0; i < c.cut; ++i) {
    const Op& op = At(log, i);
    const bool gone = Dropped(c, i) || PartialOf(c, i);
    if (IsDataOp(op.kind) && file >= 0 && op.file == file && gone && first_data < 0) first_data = i;
    if (IsDataOp(op.kind) && file >= 0 && op.file == file && !gone) kept_data.push_back(i);
    const bool names_it = (op.kind == OpKind::kCreate && op.path == name) ||
                          ((op.kind == OpKind::kRename || op.kind == OpKind::kLink) &&
                           op.path2 == name && op.file == file);
    if (names_it && !Dropped(c, i)) named_by = i;
    if (names_it && Dropped(c, i)) lost_name = i;
  }
  const bool present = s.state.entries.count(name) > 0;
  std::string why;
  if (!present && lost_name >= 0) {
    why = "the " + std::string(OpKindName(At(log, lost_name).kind)) + " that names " + name +
          " did not persist: " + model.WhyLost(s.facts, lost_name);
  } else if (present && first_data >= 0 && named_by > first_data &&
             At(log, named_by).kind != OpKind::kCreate) {
    const std::string kind = OpKindName(At(log, named_by).kind);
    const bool some = !kept_data.empty() && kept_data.front() < named_by;
    why = "the " + kind + " persisted, " + (some ? "only part of " : "") +
          "the data written before it " + (some ? "did" : "did not") +
          ": no fsync of the file before the " + kind;
  } else if (first_data >= 0) {
    const PartialWrite* p = PartialOf(c, first_data);
    why = p ? DescribePartial(log, *p)
            : "data written to " + name + " did not persist: " + model.WhyLost(s.facts, first_data);
  }
  if (!why.empty()) out += "; " + why;
  size_t total = 0;
  std::vector<std::string> dropped = DroppedFor(s, name, 4, &total);
  if (!dropped.empty()) {
    out += "; dropped: ";
    for (size_t i = 0; i < dropped.size(); ++i) out += (i ? ", " : "") + dropped[i];
    if (total > dropped.size()) out += " and " + std::to_string(total - dropped.size()) + " more";
  }
  return out;
}

}  // namespace crashbench
