// Builds crash states for the explorer without redoing the work earlier
// states did. Most states of a run differ from the ones before in one or two
// files, so each file's bytes are built once for each distinct set of its
// operations that persisted, hashed once, and kept (up to a memory bound);
// a state's key (its names, directories and file hashes) costs a pass over
// the op indices, not over the bytes. Materialize (crash_state.h) gives the
// same states, slowly; the tests hold the two to each other.
//
//   StateBuilder b(log);
//   uint64_t key = b.Key(crash);      // cheap: is it new?
//   if (seen.insert(key).second) Judge(b.Build());
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "harness/persist/crash_state.h"

namespace crashbench {

class StateBuilder {
 public:
  // Versions of files are kept while their bytes total less than cache_bytes.
  explicit StateBuilder(const OpLog& log, size_t cache_bytes = size_t{64} << 20);

  // A hash of what state `crash` leaves: every name with its file's bytes,
  // and the directories. Remembers the state for Build.
  uint64_t Key(const CrashState& crash);
  // The state last given to Key, with data_hash filled for its visible files
  // (files no name points at are left empty). Valid until the next Build: it
  // is updated in place, copying only the files whose version changed.
  const FsState& Build();

  long long versions_built() const { return built_; }

 private:
  struct Version {
    std::string bytes;
    uint64_t hash = 0;
  };
  std::shared_ptr<const Version> VersionOf(FileId file, const CrashState& crash);

  const OpLog& log_;
  size_t cache_limit_;
  size_t cached_bytes_ = 0;
  long long built_ = 0;
  std::vector<std::vector<int>> data_ops_;  // by FileId: its writes and truncates, ascending
  std::vector<int> dir_ops_;                // creates, renames, links, unlinks, mkdirs
  std::unordered_map<uint64_t, std::shared_ptr<const Version>> versions_;  // by (file, fates)
  // The state last keyed.
  std::map<std::string, FileId> entries_;
  std::set<std::string> dirs_;
  std::map<FileId, std::shared_ptr<const Version>> files_;
  // The state last built, and the version each of its files holds.
  FsState state_;
  std::vector<std::shared_ptr<const Version>> in_state_;
};

}  // namespace crashbench
