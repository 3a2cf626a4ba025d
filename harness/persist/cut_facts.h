// What a log says about durability at each cut, whatever the model: which
// syncs were issued before the crash and which operations no sync has
// ordered yet. The explorer walks the cuts in order and each model reads the
// facts of the cut it is asked about.
//
//   CutFacts f(log);
//   while (f.cut() < log.ops.size()) { f.Advance(); model.StatesAt(f, tier, &out); }
#pragma once

#include <vector>

#include "harness/persist/op_log.h"

namespace crashbench {

class CutFacts {
 public:
  explicit CutFacts(const OpLog& log);

  // Moves the cut past the next op. REQUIRES: cut() < log().ops.size().
  void Advance();

  const OpLog& log() const { return *log_; }
  int cut() const { return cut_; }  // ops [0, cut) were issued

  // Index of the last fsync or fdatasync of file f before the cut, -1 none.
  int last_file_sync(FileId f) const;
  // Index of the last sync of anything (a file, a directory) before the cut, -1 none.
  int last_any_sync() const { return last_any_sync_; }

  // Writes and truncates before the cut that no later fsync or fdatasync of
  // their file (before the cut) made durable, ascending.
  const std::vector<int>& unsynced_data() const { return unsynced_data_; }
  // Creates, renames, links, unlinks and mkdirs before the cut that no later
  // fsync of their directory (of both directories, for a rename or link
  // between two) made durable, ascending.
  const std::vector<int>& unsynced_dir() const { return unsynced_dir_; }

 private:
  const OpLog* log_;
  int cut_ = 0;
  int last_any_sync_ = -1;
  std::vector<int> last_file_sync_;  // by FileId
  std::vector<int> unsynced_data_;
  std::vector<int> unsynced_dir_;
  std::vector<unsigned char> dirs_left_;  // by op: bit 0 the first name's dir, bit 1 the second's
};

}  // namespace crashbench
