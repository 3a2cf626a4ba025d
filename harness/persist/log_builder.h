// Builds an operation log from calls made by name, the way a program (or the
// syscall tap's events) names files: it keeps the current names, so each call
// is turned into an op on the file the name points at when it runs, and the
// file sizes, so that an append knows its offset.
//
//   LogBuilder b(*SnapshotFsState(out));
//   b.Open("records.jsonl", O_WRONLY | O_APPEND | O_CREAT);
//   b.Append("records.jsonl", line);
//   b.Fsync("records.jsonl");
//   b.Ack(7);
//   if (!b.status().ok()) /* the log cannot be judged: inconclusive */;
//   OpLog log = std::move(b).Finish();
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness/base/status.h"
#include "harness/persist/op_log.h"

namespace crashbench {

class LogBuilder {
 public:
  explicit LogBuilder(FsState initial);

  // The recorded event and process the next calls came from (kept until changed).
  void SetOrigin(long long event, std::string process);

  // open(2): with O_CREAT a name that does not exist becomes a new file; with
  // O_TRUNC an existing file is cut to 0 bytes. Other flags change nothing.
  void Open(const std::string& path, int flags);
  void Write(const std::string& path, long long offset, std::string bytes);
  void Append(const std::string& path, std::string bytes);  // at the file's current end
  void Truncate(const std::string& path, long long size);
  // fsync of a name that is a directory ("" or "." is the output directory) is
  // a directory fsync.
  void Fsync(const std::string& path);
  void Fdatasync(const std::string& path);
  void SyncRange(const std::string& path, long long offset, long long length);
  void FsyncDir(const std::string& dir);
  void Rename(const std::string& from, const std::string& to);
  void Link(const std::string& from, const std::string& to);
  void Unlink(const std::string& path);
  void Mkdir(const std::string& path);
  void Close(const std::string& path);
  void Ack(long long task);

  // Ok, or the first call that could not become an op (a write to a name
  // that names no file, a rename of a missing name): a log with such a gap
  // cannot be judged.
  const Status& status() const { return status_; }
  long long size(const std::string& path) const;  // current size, -1 when no such file
  size_t ops() const { return log_.ops.size(); }  // ops so far

  OpLog Finish() &&;

 private:
  FileId Lookup(const std::string& path, const char* call);
  Op& Push(OpKind kind, FileId file, const std::string& path);
  void Fail(std::string why);
  bool IsDir(const std::string& path) const;

  OpLog log_;
  std::map<std::string, FileId> names_;  // the names now
  std::set<std::string> dirs_;
  std::vector<long long> sizes_;  // by FileId
  long long event_ = -1;
  std::string process_;
  Status status_;
};

}  // namespace crashbench
