// The operation log of a recorded run: what each process asked of the file
// system under the output directory, on file identities (so renames and hard
// links are followed), with the acknowledgements in the same order. The
// initial state of the directory plus the whole log is the final state; a
// crash state is the initial state plus a subset of the log (a persistence
// model says which subsets, crash_state.h builds them).
//
//   LogBuilder b(initial);                 // path-level calls -> ops (log_builder.h)
//   b.Open("task-3.json.tmp", O_CREAT | O_TRUNC); b.Append("task-3.json.tmp", doc);
//   b.Rename("task-3.json.tmp", "task-3.json"); b.Ack(3);
//   OpLog log = b.Finish();
//   FsState end = Replay(log);             // == the directory after the run
#pragma once

#include <string>
#include <vector>

#include "harness/persist/fs_state.h"

namespace crashbench {

enum class OpKind {
  kCreate,     // a new file at `path` (open with O_CREAT of a name that did not exist)
  kWrite,      // `bytes` at `offset` of `file`
  kTruncate,   // `file` cut or extended to `length` bytes (truncate, ftruncate, O_TRUNC)
  kFsync,      // fsync of `file`: its data and metadata
  kFdatasync,  // fdatasync of `file`: its data (and the size needed to read it)
  kSyncRange,  // sync_file_range of `file`: no durability promise (man 2 sync_file_range)
  kDirFsync,   // fsync of the directory `path` ("" the output directory)
  kRename,     // `path` -> `path2`; `replaced` is the file that `path2` named, if any
  kLink,       // a new name `path2` for the file at `path`
  kUnlink,     // the name `path` removed
  kMkdir,      // a directory `path`
  kClose,      // the last descriptor of `file` in one process closed (ext4 acts on it)
  kAck,        // task `task` acknowledged: the pipeline said it is committed
};

// "write", "fsync", ...
const char* OpKindName(OpKind kind);

struct Op {
  OpKind kind = OpKind::kWrite;
  FileId file = -1;      // the file operated on; rename/link: the file moved or linked
  FileId replaced = -1;  // rename: the file the new name pointed at before, -1 none
  std::string path;      // the name the call used; rename, link: the old name; "" for an ack
  std::string path2;     // rename, link: the new name
  long long offset = 0;  // write: where the bytes go; sync range: its start
  long long length = 0;  // truncate: the new size; sync range: its length
  std::string bytes;     // write: the bytes
  long long task = -1;   // ack: the task
  long long event = -1;  // the recorded event it came from (the tap's seq), -1 hand-built
  std::string process;   // who made the call ("0.2"), "" unknown
};

// Directory operations (create, rename, link, unlink, mkdir): they change
// names, and persist when their directory's metadata does.
bool IsDirOp(OpKind kind);
// Operations that change a file's bytes or size: write, truncate.
bool IsDataOp(OpKind kind);
// fsync, fdatasync: what they order is durable when they return.
bool IsFileSync(OpKind kind);

struct OpLog {
  FsState initial;      // the output directory before the run
  std::vector<Op> ops;  // in the order they happened
  FileId files = 0;     // ids 0..files-1 are used (the initial state's and created ones)
};

// Applies one operation to a state (names and bytes). `keep` bytes of a write
// are applied (the whole write when keep < 0): a write cut short by a crash.
void ApplyOp(const Op& op, FsState* state, long long keep = -1);
// The same for a write or truncate, on the bytes of its file alone.
void ApplyData(const Op& op, std::string* bytes, long long keep = -1);

// The initial state with every operation of the log applied: the final state.
FsState Replay(const OpLog& log);

// "#12 write task-3.json.tmp.41 @4096+725", "#20 rename a -> b", "#31 ack task 3":
// the op's index in the log, its kind and the name it was called with.
std::string DescribeOp(const OpLog& log, int index);

}  // namespace crashbench
