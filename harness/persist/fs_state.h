// The contents of an output directory as the persistence models see it: file
// identities (inode-like ids) with their bytes, and the names that point at
// them. A name is a path relative to the output directory ("task-3.json",
// "sub/x"); "" is the output directory itself. Two names may point at one
// file (a hard link); a file no name points at is invisible, as on disk.
//
//   Result<FsState> before = SnapshotFsState(out);    // before the run
//   ... record the run, replay its log onto `before` ...
//   std::string why;
//   if (!SameContents(replayed, *SnapshotFsState(out), &why)) /* inconclusive */;
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harness/base/status.h"

namespace crashbench {

using FileId = int;

struct FsState {
  std::map<std::string, FileId> entries;  // regular files: name -> file
  std::set<std::string> dirs;             // subdirectories (the output directory is implicit)
  std::vector<std::string> data;          // bytes of each file, indexed by FileId
  // Optional, by FileId: HashBytes(data[id]) when known (0: not known), so
  // that a state built from cached file versions is not hashed again.
  std::vector<uint64_t> data_hash;

  // The bytes at name, or nullptr when no file has that name.
  const std::string* Find(const std::string& name) const;
  // Grows `data` so that file ids up to `id` exist (empty).
  void Reserve(FileId id);
};

// Reads dir recursively: regular files and subdirectories. Files that are one
// inode under several names share a FileId. Anything else (a symlink, a FIFO)
// is an error naming it: the models know only files and directories.
Result<FsState> SnapshotFsState(const std::string& dir);

// Whether a and b show the same names, directories and bytes (file ids may
// differ). When they do not, *why says the first difference.
bool SameContents(const FsState& a, const FsState& b, std::string* why);

// A 64-bit hash of what a reader sees: every name with its bytes, and the
// directories. Equal contents give equal hashes whatever the file ids.
uint64_t ContentHash(const FsState& s);

// The hash of a file's bytes every part of the persistence layer uses.
uint64_t HashBytes(std::string_view bytes);

// The parent directory of a name: "" for "x", "a" for "a/x".
std::string ParentDir(const std::string& name);

}  // namespace crashbench
