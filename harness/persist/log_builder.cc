#include "harness/persist/log_builder.h"

#include <fcntl.h>

#include <algorithm>
#include <utility>

namespace crashbench {
namespace {

std::string NormalDir(const std::string& dir) { return dir == "." ? std::string() : dir; }

}  // namespace

LogBuilder::LogBuilder(FsState initial) {
  names_ = initial.entries;
  dirs_ = initial.dirs;
  for (const std::string& d : initial.data) sizes_.push_back(static_cast<long long>(d.size()));
  log_.files = static_cast<FileId>(initial.data.size());
  log_.initial = std::move(initial);
}

void LogBuilder::SetOrigin(long long event, std::string process) {
  event_ = event;
  process_ = std::move(process);
}

void LogBuilder::Fail(std::string why) {
  if (status_.ok()) status_ = Status::Error(std::move(why));
}

bool LogBuilder::IsDir(const std::string& path) const {
  return path.empty() || path == "." || dirs_.count(path) > 0;
}

FileId LogBuilder::Lookup(const std::string& path, const char* call) {
  auto it = names_.find(path);
  if (it != names_.end()) return it->second;
  Fail(std::string(call) + " of " + (path.empty() ? "." : path) + " (event " +
       std::to_string(event_) + "), which names no file the log knows");
  return -1;
}

Op& LogBuilder::Push(OpKind kind, FileId file, const std::string& path) {
  Op& op = log_.ops.emplace_back();
  op.kind = kind;
  op.file = file;
  op.path = path;
  op.event = event_;
  op.process = process_;
  return op;
}

long long LogBuilder::size(const std::string& path) const {
  auto it = names_.find(path);
  return it == names_.end() ? -1 : sizes_[static_cast<size_t>(it->second)];
}

void LogBuilder::Open(const std::string& path, int flags) {
  auto it = names_.find(path);
  if (it == names_.end()) {
    if (!(flags & O_CREAT)) {
      Lookup(path, "open");
      return;
    }
    const FileId id = log_.files++;
    sizes_.push_back(0);
    names_[path] = id;
    Push(OpKind::kCreate, id, path);
    return;
  }
  if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY) Truncate(path, 0);
}

void LogBuilder::Write(const std::string& path, long long offset, std::string bytes) {
  const FileId id = Lookup(path, "write");
  if (id < 0 || bytes.empty()) return;
  long long& size = sizes_[static_cast<size_t>(id)];
  size = std::max(size, offset + static_cast<long long>(bytes.size()));
  Op& op = Push(OpKind::kWrite, id, path);
  op.offset = offset;
  op.bytes = std::move(bytes);
}

void LogBuilder::Append(const std::string& path, std::string bytes) {
  const long long at = size(path);
  if (at < 0) {
    Lookup(path, "write");
    return;
  }
  Write(path, at, std::move(bytes));
}

void LogBuilder::Truncate(const std::string& path, long long length) {
  const FileId id = Lookup(path, "truncate");
  if (id < 0) return;
  sizes_[static_cast<size_t>(id)] = length;
  Push(OpKind::kTruncate, id, path).length = length;
}

void LogBuilder::Fsync(const std::string& path) {
  if (IsDir(path)) return FsyncDir(path);
  const FileId id = Lookup(path, "fsync");
  if (id >= 0) Push(OpKind::kFsync, id, path);
}

void LogBuilder::Fdatasync(const std::string& path) {
  if (IsDir(path)) return FsyncDir(path);
  const FileId id = Lookup(path, "fdatasync");
  if (id >= 0) Push(OpKind::kFdatasync, id, path);
}

void LogBuilder::SyncRange(const std::string& path, long long offset, long long length) {
  const FileId id = Lookup(path, "sync_file_range");
  if (id < 0) return;
  Op& op = Push(OpKind::kSyncRange, id, path);
  op.offset = offset;
  op.length = length;
}

void LogBuilder::FsyncDir(const std::string& dir) {
  const std::string d = NormalDir(dir);
  if (!IsDir(d)) {
    Fail("fsync of directory " + d + " (event " + std::to_string(event_) +
         "), which the log does not know");
    return;
  }
  Push(OpKind::kDirFsync, -1, d);
}

void LogBuilder::Rename(const std::string& from, const std::string& to) {
  if (IsDir(from)) {
    Fail("rename of directory " + from + " (event " + std::to_string(event_) +
         "): the persistence models rename files only");
    return;
  }
  const FileId id = Lookup(from, "rename");
  if (id < 0 || from == to) return;
  auto old = names_.find(to);
  Op& op = Push(OpKind::kRename, id, from);
  op.path2 = to;
  op.replaced = old == names_.end() ? -1 : old->second;
  names_.erase(from);
  names_[to] = id;
}

void LogBuilder::Link(const std::string& from, const std::string& to) {
  const FileId id = Lookup(from, "link");
  if (id < 0) return;
  Push(OpKind::kLink, id, from).path2 = to;
  names_[to] = id;
}

void LogBuilder::Unlink(const std::string& path) {
  const FileId id = Lookup(path, "unlink");
  if (id < 0) return;
  Push(OpKind::kUnlink, id, path);
  names_.erase(path);
}

void LogBuilder::Mkdir(const std::string& path) {
  dirs_.insert(path);
  Push(OpKind::kMkdir, -1, path);
}

void LogBuilder::Close(const std::string& path) {
  auto it = names_.find(path);
  if (it != names_.end()) Push(OpKind::kClose, it->second, path);
}

void LogBuilder::Ack(long long task) { Push(OpKind::kAck, -1, "").task = task; }

OpLog LogBuilder::Finish() && { return std::move(log_); }

}  // namespace crashbench
