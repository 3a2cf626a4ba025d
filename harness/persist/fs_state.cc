#include "harness/persist/fs_state.h"

#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <string_view>
#include <system_error>
#include <utility>

#include "harness/base/sys.h"

namespace crashbench {

const std::string* FsState::Find(const std::string& name) const {
  auto it = entries.find(name);
  if (it == entries.end() || it->second < 0 || static_cast<size_t>(it->second) >= data.size())
    return nullptr;
  return &data[static_cast<size_t>(it->second)];
}

void FsState::Reserve(FileId id) {
  if (id >= 0 && static_cast<size_t>(id) >= data.size()) data.resize(static_cast<size_t>(id) + 1);
}

Result<FsState> SnapshotFsState(const std::string& dir) {
  namespace fs = std::filesystem;
  FsState s;
  std::map<std::pair<dev_t, ino_t>, FileId> inodes;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec);
  if (ec) return Status::Error("cannot list " + dir + ": " + ec.message(), ec.value());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string path = it->path().string();
    const std::string name = it->path().lexically_relative(dir).generic_string();
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return ErrnoStatus("lstat " + path, errno);
    if (S_ISDIR(st.st_mode)) {
      s.dirs.insert(name);
      continue;
    }
    if (!S_ISREG(st.st_mode))
      return Status::Error(path +
                           " is neither a regular file nor a directory: the persistence "
                           "models know only those");
    auto [at, fresh] =
        inodes.emplace(std::make_pair(st.st_dev, st.st_ino), static_cast<FileId>(s.data.size()));
    if (fresh) {
      Result<std::string> bytes = ReadFileToString(path);
      if (!bytes.ok()) return bytes.status();
      s.data.push_back(std::move(bytes.value()));
    }
    s.entries[name] = at->second;
  }
  if (ec) return Status::Error("cannot list " + dir + ": " + ec.message(), ec.value());
  return s;
}

bool SameContents(const FsState& a, const FsState& b, std::string* why) {
  auto say = [&](std::string text) {
    if (why) *why = std::move(text);
    return false;
  };
  if (a.dirs != b.dirs) {
    for (const std::string& d : a.dirs)
      if (!b.dirs.count(d)) return say("directory " + d + " only in the first");
    for (const std::string& d : b.dirs)
      if (!a.dirs.count(d)) return say("directory " + d + " only in the second");
  }
  for (const auto& [name, id] : a.entries) {
    const std::string* other = b.Find(name);
    if (!other) return say(name + " only in the first");
    const std::string* mine = a.Find(name);
    if (!mine) return say(name + " names no file in the first");
    if (*mine != *other) {
      size_t at = 0;
      while (at < mine->size() && at < other->size() && (*mine)[at] == (*other)[at]) ++at;
      return say(name + ": " + std::to_string(mine->size()) + " bytes against " +
                 std::to_string(other->size()) + ", first difference at byte " +
                 std::to_string(at));
    }
  }
  for (const auto& [name, id] : b.entries)
    if (!a.entries.count(name)) return say(name + " only in the second");
  return true;
}

uint64_t ContentHash(const FsState& s) {
  auto h = [](std::string_view b) { return HashBytes(b); };
  uint64_t acc = 0x9e3779b97f4a7c15ULL;
  auto mix = [&](uint64_t v) { acc = (acc ^ v) * 0x100000001b3ULL + (acc >> 29); };
  for (const auto& [name, id] : s.entries) {
    mix(h(name));
    const std::string* bytes = s.Find(name);
    mix(bytes ? h(*bytes) : 0x5bd1e995ULL);
    mix(bytes ? bytes->size() : ~0ULL);
  }
  for (const std::string& d : s.dirs) mix(h(d) ^ 0xd1b54a32d192ed03ULL);
  return acc;
}

uint64_t HashBytes(std::string_view bytes) { return std::hash<std::string_view>()(bytes); }

std::string ParentDir(const std::string& name) {
  size_t slash = name.rfind('/');
  return slash == std::string::npos ? std::string() : name.substr(0, slash);
}

}  // namespace crashbench
