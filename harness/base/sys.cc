#include "harness/base/sys.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

namespace crashbench {

Status ErrnoStatus(const std::string& what, int err) {
  return Status::Error(what + ": " + std::strerror(err), err);
}

void UniqueFd::Reset(int fd) {
  if (fd_ >= 0) ::close(fd_);  // never retried: the fd is gone even on EINTR
  fd_ = fd;
}

Status WriteFull(int fd, const void* buf, size_t n) {
  return sys_detail::WriteFullWith(::write, fd, buf, n);
}

Status ReadFull(int fd, void* buf, size_t n, size_t* got) {
  return sys_detail::ReadFullWith(::read, fd, buf, n, got);
}

Status MakePipe(UniqueFd* read_end, UniqueFd* write_end, int extra_flags) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | extra_flags) != 0) return ErrnoStatus("pipe2", errno);
  read_end->Reset(fds[0]);
  write_end->Reset(fds[1]);
  return Status::Ok();
}

Status FsyncNoInt(int fd, const std::string& what) {
  if (RetryOnEintr([&] { return ::fsync(fd); }) != 0) return ErrnoStatus("fsync " + what, errno);
  return Status::Ok();
}

Status FsyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("open directory " + dir, errno);
  return FsyncNoInt(fd.get(), dir);
}

Result<std::string> ReadFileToString(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus(path, errno);
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t r = RetryOnEintr([&] { return ::read(fd.get(), buf, sizeof buf); });
    if (r < 0) return ErrnoStatus(path, errno);
    if (r == 0) break;
    out.append(buf, static_cast<size_t>(r));
  }
  return out;
}

Status WriteFileAtomicWith(const std::string& path, const std::function<Status(FILE*)>& write) {
  std::string dir = ".";
  if (auto slash = path.rfind('/'); slash != std::string::npos)
    dir = path.substr(0, slash ? slash : 1);
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  FILE* f = std::fopen(tmp.c_str(), "we");
  if (!f) return ErrnoStatus("create " + tmp, errno);
  Status s = write(f);
  if (s.ok() && std::fflush(f) != 0) s = ErrnoStatus("write " + tmp, errno);
  if (s.ok()) s = FsyncNoInt(fileno(f), tmp);
  if (std::fclose(f) != 0 && s.ok()) s = ErrnoStatus("close " + tmp, errno);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0)
    s = ErrnoStatus("rename to " + path, errno);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s.Annotate("writing " + path);
  }
  // The directory is synced after the rename so that the new name survives a
  // power loss, not only the new contents.
  return FsyncDir(dir);
}

Status WriteFileAtomic(const std::string& path, const std::string& contents) {
  return WriteFileAtomicWith(path, [&](FILE* f) {
    if (std::fwrite(contents.data(), 1, contents.size(), f) != contents.size())
      return ErrnoStatus("write " + path, errno);
    return Status::Ok();
  });
}

Status MakeDirs(const std::string& path) {
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    cur = path.substr(0, pos);
    if (cur.empty()) continue;
    if (::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST)
      return ErrnoStatus("mkdir " + cur, errno);
  }
  return Status::Ok();
}

namespace {
int RemoveOne(const char* p, const struct stat*, int, struct FTW*) { return ::remove(p); }
}  // namespace

Status RemoveTree(const std::string& path) {
  if (path.empty() || path == "/") return Status::Error("refusing to remove '" + path + "'");
  if (::nftw(path.c_str(), RemoveOne, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
    return ErrnoStatus("remove " + path, errno);
  return Status::Ok();
}

long long NowMicros() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000LL + ts.tv_nsec / 1000;
}

}  // namespace crashbench
