#include "harness/persist/op_log.h"

#include <algorithm>

namespace crashbench {

const char* OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kCreate:
      return "create";
    case OpKind::kWrite:
      return "write";
    case OpKind::kTruncate:
      return "truncate";
    case OpKind::kFsync:
      return "fsync";
    case OpKind::kFdatasync:
      return "fdatasync";
    case OpKind::kSyncRange:
      return "sync_file_range";
    case OpKind::kDirFsync:
      return "fsync-dir";
    case OpKind::kRename:
      return "rename";
    case OpKind::kLink:
      return "link";
    case OpKind::kUnlink:
      return "unlink";
    case OpKind::kMkdir:
      return "mkdir";
    case OpKind::kClose:
      return "close";
    case OpKind::kAck:
      return "ack";
  }
  return "?";
}

bool IsDirOp(OpKind kind) {
  return kind == OpKind::kCreate || kind == OpKind::kRename || kind == OpKind::kLink ||
         kind == OpKind::kUnlink || kind == OpKind::kMkdir;
}

bool IsDataOp(OpKind kind) { return kind == OpKind::kWrite || kind == OpKind::kTruncate; }

bool IsFileSync(OpKind kind) { return kind == OpKind::kFsync || kind == OpKind::kFdatasync; }

void ApplyData(const Op& op, std::string* d, long long keep) {
  if (op.kind == OpKind::kTruncate) {
    d->resize(static_cast<size_t>(op.length), '\0');
    return;
  }
  if (op.kind != OpKind::kWrite) return;
  const size_t n =
      keep < 0 ? op.bytes.size() : std::min(op.bytes.size(), static_cast<size_t>(keep));
  if (n == 0) return;
  const size_t at = static_cast<size_t>(op.offset);
  if (d->size() < at + n) d->resize(at + n, '\0');
  d->replace(at, n, op.bytes, 0, n);
}

void ApplyOp(const Op& op, FsState* s, long long keep) {
  switch (op.kind) {
    case OpKind::kCreate:
      s->Reserve(op.file);
      s->entries[op.path] = op.file;
      break;
    case OpKind::kWrite:
    case OpKind::kTruncate:
      s->Reserve(op.file);
      ApplyData(op, &s->data[static_cast<size_t>(op.file)], keep);
      break;
    case OpKind::kRename: {
      // The old name goes only if it still names the file: when a crash state
      // dropped the op that created it, it was never there.
      auto it = s->entries.find(op.path);
      if (it != s->entries.end() && it->second == op.file) s->entries.erase(it);
      s->entries[op.path2] = op.file;
      break;
    }
    case OpKind::kLink:
      s->entries[op.path2] = op.file;
      break;
    case OpKind::kUnlink: {
      auto it = s->entries.find(op.path);
      if (it != s->entries.end() && it->second == op.file) s->entries.erase(it);
      break;
    }
    case OpKind::kMkdir:
      s->dirs.insert(op.path);
      break;
    case OpKind::kFsync:
    case OpKind::kFdatasync:
    case OpKind::kSyncRange:
    case OpKind::kDirFsync:
    case OpKind::kClose:
    case OpKind::kAck:
      break;
  }
}

FsState Replay(const OpLog& log) {
  FsState s = log.initial;
  s.Reserve(log.files - 1);
  for (const Op& op : log.ops) ApplyOp(op, &s);
  return s;
}

std::string DescribeOp(const OpLog& log, int index) {
  const Op& op = log.ops[static_cast<size_t>(index)];
  std::string out = "#" + std::to_string(index) + " " + OpKindName(op.kind);
  switch (op.kind) {
    case OpKind::kAck:
      return out + " task " + std::to_string(op.task);
    case OpKind::kRename:
    case OpKind::kLink:
      return out + " " + op.path + " -> " + op.path2;
    case OpKind::kWrite:
      return out + " " + op.path + " @" + std::to_string(op.offset) + "+" +
             std::to_string(op.bytes.size());
    case OpKind::kTruncate:
      return out + " " + op.path + " to " + std::to_string(op.length);
    case OpKind::kDirFsync:
      return out + " " + (op.path.empty() ? std::string(".") : op.path);
    default:
      return out + " " + op.path;
  }
}

}  // namespace crashbench
