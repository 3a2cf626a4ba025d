#include "harness/persist/from_tap.h"

#include <charconv>
#include <map>
#include <string_view>

#include "harness/persist/log_builder.h"

namespace crashbench {
namespace {

bool Is(const TapEvent& e, std::initializer_list<std::string_view> calls) {
  for (std::string_view c : calls)
    if (e.call == c) return true;
  return false;
}

// Each complete line "<task>" of an ack file is an acknowledgement; a torn
// last line is not (yet).
void AckLines(const TapEvent& e, std::string* pending, LogBuilder* b) {
  const long long n = std::min<long long>(*e.result, static_cast<long long>(e.bytes.size()));
  pending->append(e.bytes, 0, static_cast<size_t>(std::max(n, 0LL)));
  for (size_t nl = pending->find('\n'); nl != std::string::npos; nl = pending->find('\n')) {
    const std::string line = pending->substr(0, nl);
    pending->erase(0, nl + 1);
    long long task = -1;
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), task);
    if (ec == std::errc() && end == line.data() + line.size()) b->Ack(task);
  }
}

}  // namespace

Result<OpLog> OpLogFromTap(const std::vector<TapEvent>& events, FsState initial) {
  LogBuilder b(std::move(initial));
  std::map<std::string, std::string> ack_lines;  // by extra file: bytes after the last newline
  for (const TapEvent& e : events) {
    if (!e.result || *e.result < 0) continue;  // never ran, or failed: changed nothing
    b.SetOrigin(e.seq, e.process);
    const bool writes = Is(
        e, {"write", "pwrite64", "writev", "pwritev", "pwritev2", "copy_file_range", "sendfile"});
    if (e.extra) {
      if (writes) AckLines(e, &ack_lines[e.path], &b);
      continue;
    }
    const std::string where =
        " (event " + std::to_string(e.seq) + ", " + e.call + " " + e.path + ")";
    if (writes) {
      if (static_cast<long long>(e.bytes.size()) < *e.result)
        return Status::Error("the tap kept no bytes for a write" + where);
      b.Write(e.path, e.offset, e.bytes.substr(0, static_cast<size_t>(*e.result)));
    } else if (Is(e, {"open", "openat", "openat2", "creat"})) {
      b.Open(e.path, e.open_flags);
    } else if (Is(e, {"truncate", "ftruncate"})) {
      b.Truncate(e.path, e.length);
    } else if (e.call == "fallocate") {
      if (e.offset + e.length > b.size(e.path)) b.Truncate(e.path, e.offset + e.length);
    } else if (e.call == "fsync") {
      b.Fsync(e.path);
    } else if (e.call == "fdatasync") {
      b.Fdatasync(e.path);
    } else if (e.call == "sync_file_range") {
      b.SyncRange(e.path, e.offset, e.length);
    } else if (Is(e, {"rename", "renameat", "renameat2"})) {
      b.Rename(e.path, e.path2);
    } else if (Is(e, {"link", "linkat"})) {
      b.Link(e.path, e.path2);
    } else if (Is(e, {"unlink", "unlinkat"}) && b.size(e.path) >= 0) {
      b.Unlink(e.path);
    } else if (Is(e, {"mkdir", "mkdirat"})) {
      b.Mkdir(e.path);
    } else if (e.call == "close") {
      b.Close(e.path);
    } else {
      return Status::Error("the persistence models do not model this call" + where);
    }
    if (!b.status().ok()) return b.status();
  }
  if (!b.status().ok()) return b.status();
  return std::move(b).Finish();
}

}  // namespace crashbench
