#include "harness/tap/tap_decode.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "harness/base/crc32c.h"
#include "harness/base/sys.h"

namespace crashbench::tap_internal {
namespace {

constexpr size_t kChunk = 1 << 20;  // bytes read from the tracee at a time
constexpr size_t kMaxIov = 1024;    // IOV_MAX

uint64_t Arg(const user_regs_struct& r, int i) {
  const unsigned long long args[] = {r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9};
  return args[i];
}
int FdArg(const user_regs_struct& r, int i) { return static_cast<int>(Arg(r, i)); }

std::string Readlink(const std::string& link) {
  char buf[PATH_MAX];
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

std::string Proc(pid_t tid, const std::string& rest) {
  return "/proc/" + std::to_string(tid) + "/" + rest;
}

// The file an fd of the tracee names; "" when none; an unlinked file keeps
// the name it had.
std::string FdPath(pid_t tid, int fd) {
  std::string p = Readlink(Proc(tid, "fd/" + std::to_string(fd)));
  const std::string deleted = " (deleted)";
  if (p.size() > deleted.size() &&
      p.compare(p.size() - deleted.size(), deleted.size(), deleted) == 0)
    p.resize(p.size() - deleted.size());
  return p;
}

// The fd's position, or for an O_APPEND fd the file's size (where the bytes go).
long long FdOffset(pid_t tid, int fd) {
  Result<std::string> info = ReadFileToString(Proc(tid, "fdinfo/" + std::to_string(fd)));
  if (!info.ok()) return -1;
  long long pos = -1;
  unsigned flags = 0;
  std::sscanf(info->c_str(), "pos: %lld flags: %o", &pos, &flags);
  if (flags & O_APPEND) {
    struct stat st;
    if (::stat(Proc(tid, "fd/" + std::to_string(fd)).c_str(), &st) == 0) return st.st_size;
  }
  return pos;
}

// A NUL-terminated string of the tracee, read a page at most at a time (a
// read across an unmapped page would fail as a whole).
std::string ReadString(pid_t tid, uint64_t addr) {
  std::string out;
  char buf[4096];
  while (out.size() < PATH_MAX && addr != 0) {
    const size_t room = 4096 - (addr & 4095);
    if (!ReadTracee(tid, addr, buf, room)) break;
    const char* nul = static_cast<const char*>(memchr(buf, 0, room));
    out.append(buf, nul ? static_cast<size_t>(nul - buf) : room);
    if (nul) break;
    addr += room;
  }
  return out;
}

// An absolute, lexically normal path for a path argument of the tracee.
std::string Resolve(pid_t tid, int dirfd, uint64_t path_addr) {
  std::string p = ReadString(tid, path_addr);
  if (p.empty() || p[0] == '/') return NormalizePath(p);
  const std::string base = dirfd == AT_FDCWD ? Readlink(Proc(tid, "cwd")) : FdPath(tid, dirfd);
  return NormalizePath(base + "/" + p);
}

// A path that may not exist yet: its directory's symlinks resolved.
std::string Canonical(const std::string& path) {
  std::string norm = NormalizePath(path);
  char buf[PATH_MAX];
  if (::realpath(norm.c_str(), buf)) return buf;
  const size_t slash = norm.rfind('/');
  if (slash == std::string::npos || slash == 0) return norm;
  if (::realpath(norm.substr(0, slash).c_str(), buf)) return buf + norm.substr(slash);
  return norm;
}

}  // namespace

bool ReadTracee(pid_t tid, uint64_t addr, void* out, size_t n) {
  iovec local{out, n};
  iovec remote{reinterpret_cast<void*>(addr), n};
  return ::process_vm_readv(tid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(n);
}

bool WriteTracee(pid_t tid, uint64_t addr, const void* in, size_t n) {
  iovec local{const_cast<void*>(in), n};
  iovec remote{reinterpret_cast<void*>(addr), n};
  return ::process_vm_writev(tid, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(n);
}

std::string NormalizePath(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (const std::string& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

Decoder::Decoder(const std::string& watch_dir, const std::vector<std::string>& extra_files,
                 bool keep_bytes)
    : watch_dir_(Canonical(watch_dir)), extra_names_(extra_files), keep_bytes_(keep_bytes) {
  for (const std::string& f : extra_files) extra_abs_.push_back(Canonical(f));
}

Decoder::Where Decoder::Classify(const std::string& abs, std::string* name) const {
  for (size_t i = 0; i < extra_abs_.size(); ++i)
    if (abs == extra_abs_[i]) {
      *name = extra_names_[i];
      return Where::kExtra;
    }
  if (watch_dir_.empty() || watch_dir_ == "/") return Where::kOutside;
  if (abs == watch_dir_) {
    *name = ".";
    return Where::kWatched;
  }
  if (abs.size() > watch_dir_.size() && abs.compare(0, watch_dir_.size(), watch_dir_) == 0 &&
      abs[watch_dir_.size()] == '/') {
    *name = abs.substr(watch_dir_.size() + 1);
    return Where::kWatched;
  }
  *name = abs;
  return Where::kOutside;
}

bool Decoder::Place(const std::string& abs, std::string* field, bool* extra) const {
  const Where w = Classify(abs, field);
  if (w == Where::kExtra) *extra = true;
  return w != Where::kOutside;
}

bool Decoder::Decode(pid_t tid, const user_regs_struct& r, const TappedCall& call,
                     TapEvent* e) const {
  e->call = std::string(call.name);
  switch (call.nr) {
    case SYS_open:
    case SYS_openat:
    case SYS_openat2:
    case SYS_creat:
    case SYS_rename:
    case SYS_renameat:
    case SYS_renameat2:
    case SYS_unlink:
    case SYS_unlinkat:
    case SYS_rmdir:
    case SYS_truncate:
    case SYS_mkdir:
    case SYS_mkdirat:
    case SYS_link:
    case SYS_linkat:
    case SYS_symlink:
    case SYS_symlinkat:
      return DecodePathCall(tid, r, e);
    default:
      return DecodeFdCall(tid, r, call, e);
  }
}

bool Decoder::DecodePathCall(pid_t tid, const user_regs_struct& r, TapEvent* e) const {
  const long nr = static_cast<long>(r.orig_rax);
  std::string a, b;  // absolute paths: the file changed, and the new name if any
  switch (nr) {
    case SYS_open:
      a = Resolve(tid, AT_FDCWD, Arg(r, 0));
      e->open_flags = static_cast<int>(Arg(r, 1));
      break;
    case SYS_creat:
      a = Resolve(tid, AT_FDCWD, Arg(r, 0));
      e->open_flags = O_CREAT | O_WRONLY | O_TRUNC;
      break;
    case SYS_openat:
      a = Resolve(tid, FdArg(r, 0), Arg(r, 1));
      e->open_flags = static_cast<int>(Arg(r, 2));
      break;
    case SYS_openat2: {
      a = Resolve(tid, FdArg(r, 0), Arg(r, 1));
      uint64_t how_flags = 0;
      ReadTracee(tid, Arg(r, 2), &how_flags, sizeof how_flags);
      e->open_flags = static_cast<int>(how_flags);
      if (!(how_flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC))) return false;
      break;
    }
    case SYS_rename:
    case SYS_link:
      a = Resolve(tid, AT_FDCWD, Arg(r, 0));
      b = Resolve(tid, AT_FDCWD, Arg(r, 1));
      break;
    case SYS_renameat:
    case SYS_renameat2:
    case SYS_linkat:
      a = Resolve(tid, FdArg(r, 0), Arg(r, 1));
      b = Resolve(tid, FdArg(r, 2), Arg(r, 3));
      break;
    case SYS_unlinkat:
    case SYS_mkdirat:
      a = Resolve(tid, FdArg(r, 0), Arg(r, 1));
      break;
    case SYS_symlink:
    case SYS_symlinkat: {
      const bool at = nr == SYS_symlinkat;
      a = Resolve(tid, at ? FdArg(r, 1) : AT_FDCWD, Arg(r, at ? 2 : 1));
      e->path2 = ReadString(tid, Arg(r, 0));
      return Place(a, &e->path, &e->extra);
    }
    default:  // unlink, rmdir, truncate, mkdir: one path, first argument
      a = Resolve(tid, AT_FDCWD, Arg(r, 0));
      if (nr == SYS_truncate) e->length = static_cast<long long>(Arg(r, 1));
      break;
  }
  bool watched = Place(a, &e->path, &e->extra);
  if (!b.empty()) watched |= Place(b, &e->path2, &e->extra);
  return watched;
}

bool Decoder::DecodeFdCall(pid_t tid, const user_regs_struct& r, const TappedCall& call,
                           TapEvent* e) const {
  const long nr = call.nr;
  const int fd = FdArg(r, nr == SYS_copy_file_range ? 2 : 0);
  const std::string path = FdPath(tid, fd);
  if (path.empty() || path[0] != '/' || !Place(path, &e->path, &e->extra)) return false;
  switch (nr) {
    case SYS_write:
    case SYS_writev:
    case SYS_sendfile:
      e->offset = FdOffset(tid, fd);
      break;
    case SYS_pwrite64:
    case SYS_pwritev:
      e->offset = static_cast<long long>(Arg(r, 3));
      break;
    case SYS_pwritev2:
      e->offset = static_cast<long long>(Arg(r, 3));
      if (e->offset == -1) e->offset = FdOffset(tid, fd);
      break;
    case SYS_copy_file_range: {
      long long off = -1;
      if (Arg(r, 3) == 0 || !ReadTracee(tid, Arg(r, 3), &off, sizeof off)) off = FdOffset(tid, fd);
      e->offset = off;
      ReadFileBytes(tid, FdArg(r, 0), Arg(r, 1), static_cast<long long>(Arg(r, 4)), e);
      return true;
    }
    case SYS_sync_file_range:
      e->offset = static_cast<long long>(Arg(r, 1));
      e->length = static_cast<long long>(Arg(r, 2));
      return true;
    case SYS_ftruncate:
      e->length = static_cast<long long>(Arg(r, 1));
      return true;
    case SYS_fallocate:
      e->offset = static_cast<long long>(Arg(r, 2));
      e->length = static_cast<long long>(Arg(r, 3));
      return true;
    default:  // fsync, fdatasync, close
      return true;
  }
  if (nr == SYS_sendfile)
    ReadFileBytes(tid, FdArg(r, 1), Arg(r, 2), static_cast<long long>(Arg(r, 3)), e);
  else
    ReadBytes(tid, r, e);
  return true;
}

// write/pwrite64: (fd, buf, n); the vector calls: (fd, iov, count).
void Decoder::ReadBytes(pid_t tid, const user_regs_struct& r, TapEvent* e) const {
  std::vector<iovec> iov;
  const long nr = static_cast<long>(r.orig_rax);
  if (nr == SYS_write || nr == SYS_pwrite64) {
    iov.push_back({reinterpret_cast<void*>(Arg(r, 1)), Arg(r, 2)});
  } else {
    iov.resize(std::min<size_t>(Arg(r, 2), kMaxIov));
    if (!iov.empty() && !ReadTracee(tid, Arg(r, 1), iov.data(), iov.size() * sizeof(iovec)))
      iov.clear();
  }
  uint32_t crc = 0;
  long long total = 0;
  std::vector<char> buf;
  for (const iovec& v : iov) {
    for (size_t done = 0; done < v.iov_len;) {
      const size_t n = std::min(kChunk, v.iov_len - done);
      buf.resize(n);
      const uint64_t at = reinterpret_cast<uint64_t>(v.iov_base) + done;
      if (!ReadTracee(tid, at, buf.data(), n)) break;  // a bad buffer: the call will fail
      crc = Crc32cExtend(crc, buf.data(), n);
      if (keep_bytes_) e->bytes.append(buf.data(), n);
      done += n;
    }
    total += static_cast<long long>(v.iov_len);
  }
  e->length = total;
  e->bytes_crc = crc;
}

// copy_file_range, sendfile: the bytes come from the input file, from *off_ptr
// or its position. length is what will really be copied: at most what the
// input holds from there (cp asks for far more than the file has).
void Decoder::ReadFileBytes(pid_t tid, int in_fd, uint64_t off_ptr, long long want,
                            TapEvent* e) const {
  long long off = -1;
  if (off_ptr == 0 || !ReadTracee(tid, off_ptr, &off, sizeof off)) off = FdOffset(tid, in_fd);
  UniqueFd in(::open(Proc(tid, "fd/" + std::to_string(in_fd)).c_str(), O_RDONLY | O_CLOEXEC));
  uint32_t crc = 0;
  long long total = 0;
  std::vector<char> buf(kChunk);
  while (in.valid() && off >= 0 && total < want) {
    const size_t n = static_cast<size_t>(std::min<long long>(kChunk, want - total));
    const ssize_t got = RetryOnEintr([&] { return ::pread(in.get(), buf.data(), n, off + total); });
    if (got <= 0) break;
    crc = Crc32cExtend(crc, buf.data(), static_cast<size_t>(got));
    if (keep_bytes_) e->bytes.append(buf.data(), static_cast<size_t>(got));
    total += got;
  }
  e->length = total;
  e->bytes_crc = crc;
}

}  // namespace crashbench::tap_internal
