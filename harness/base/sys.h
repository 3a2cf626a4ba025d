// Thin, honest wrappers over the system calls crashbench uses: every call that
// can be interrupted is retried on EINTR, every short write is continued, every
// descriptor is owned by a UniqueFd and opened O_CLOEXEC.
//
// These functions are async-signal-safe where noted, so they may be used
// between fork and exec and inside forked workers.
#pragma once

#include <sys/types.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>

#include "harness/base/status.h"

namespace crashbench {

// Calls f() until it does not fail with EINTR. Async-signal-safe if f is.
// Never use it for close(): on Linux the descriptor is gone even on EINTR.
template <typename F>
auto RetryOnEintr(F f) -> decltype(f()) {
  decltype(f()) r;
  do {
    r = f();
  } while (r == -1 && errno == EINTR);
  return r;
}

// Owns one file descriptor; closes it exactly once.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) Reset(std::exchange(o.fd_, -1));
    return *this;
  }
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int Release() { return std::exchange(fd_, -1); }
  void Reset(int fd = -1);

 private:
  int fd_ = -1;
};

// Writes all n bytes, continuing after short writes and EINTR.
// On failure some prefix of the bytes may have been written.
// Async-signal-safe.
Status WriteFull(int fd, const void* buf, size_t n);

// Reads exactly n bytes. Returns an error with err()==0 and message "eof" if
// the stream ends first (*got says how many bytes arrived).
Status ReadFull(int fd, void* buf, size_t n, size_t* got = nullptr);

namespace sys_detail {
// The loops of WriteFull and ReadFull over any call shaped like write(2) or
// read(2), which they pass ::write and ::read: a test passes a call that
// scripts short transfers, EINTR and errors the kernel gives only by chance.
template <typename WriteCall>
Status WriteFullWith(WriteCall write_call, int fd, const void* buf, size_t n) {
  const char* p = static_cast<const char*>(buf);
  while (n > 0) {
    ssize_t w = RetryOnEintr([&] { return write_call(fd, p, n); });
    if (w < 0) return ErrnoStatus("write", errno);
    // A write that takes nothing and reports no error would loop for ever.
    if (w == 0) return Status::Error("write: wrote 0 of " + std::to_string(n) + " bytes");
    p += w;
    n -= static_cast<size_t>(w);
  }
  return Status::Ok();
}

template <typename ReadCall>
Status ReadFullWith(ReadCall read_call, int fd, void* buf, size_t n, size_t* got) {
  char* p = static_cast<char*>(buf);
  size_t done = 0;
  while (done < n) {
    ssize_t r = RetryOnEintr([&] { return read_call(fd, p + done, n - done); });
    if (r < 0) {
      if (got) *got = done;
      return ErrnoStatus("read", errno);
    }
    if (r == 0) {
      if (got) *got = done;
      return Status::Error("eof");
    }
    done += static_cast<size_t>(r);
  }
  if (got) *got = done;
  return Status::Ok();
}
}  // namespace sys_detail

// pipe2(O_CLOEXEC) into two owned descriptors: [0] reads, [1] writes.
Status MakePipe(UniqueFd* read_end, UniqueFd* write_end, int extra_flags = 0);

// fsync that retries EINTR.
Status FsyncNoInt(int fd, const std::string& what);

// fsyncs the directory that holds path's entries.
Status FsyncDir(const std::string& dir);

// Reads a whole file.
Result<std::string> ReadFileToString(const std::string& path);

// Writes contents to path atomically: temp file in the same directory, write,
// fsync, rename over path, fsync the directory. A crash leaves either the old
// file or the new one, never a mix; a failure unlinks the temp file.
Status WriteFileAtomic(const std::string& path, const std::string& contents);
// The same recipe for contents produced by a writer into a stdio stream
// (streamed, never held whole in memory). write's error aborts and unlinks.
Status WriteFileAtomicWith(const std::string& path, const std::function<Status(FILE*)>& write);

// mkdir -p.
Status MakeDirs(const std::string& path);

// rm -rf, for scratch directories crashbench created. Refuses "" and "/".
Status RemoveTree(const std::string& path);

// Monotonic clock in microseconds.
long long NowMicros();

}  // namespace crashbench
