#include "bench/bench_scratch.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "harness/base/sys.h"

namespace crashbench {
namespace {

// Set once, before the handlers are installed; read by them.
char g_root[4096];

// Removes every entry of the directory dirfd, then recursing one level per
// call: getdents64 and unlinkat only, no allocation (safe in a handler).
void RemoveEntries(int dirfd, int depth) {
  alignas(8) char buf[4096];
  for (;;) {
    const long n = ::syscall(SYS_getdents64, dirfd, buf, sizeof buf);
    if (n <= 0) return;
    bool removed_any = false;
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<struct dirent64*>(buf + off);
      off += d->d_reclen;
      if (std::strcmp(d->d_name, ".") == 0 || std::strcmp(d->d_name, "..") == 0) continue;
      if (::unlinkat(dirfd, d->d_name, 0) == 0) {
        removed_any = true;
        continue;
      }
      const int sub = ::openat(dirfd, d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (sub >= 0 && depth < 8) RemoveEntries(sub, depth + 1);
      if (sub >= 0) ::close(sub);
      removed_any |= ::unlinkat(dirfd, d->d_name, AT_REMOVEDIR) == 0;
    }
    if (removed_any) ::lseek(dirfd, 0, SEEK_SET);
  }
}

void RemoveRootNow() {
  if (g_root[0] == '\0') return;
  const int fd = ::open(g_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0) {
    RemoveEntries(fd, 0);
    ::close(fd);
  }
  ::rmdir(g_root);
}

void OnFatalSignal(int sig) {
  RemoveRootNow();
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

BenchScratch& BenchScratch::Get() {
  static BenchScratch scratch;
  return scratch;
}

BenchScratch::BenchScratch() {
  const char* tmp = std::getenv("TMPDIR");
  std::string base = tmp && *tmp ? tmp : "/tmp";
  std::string templ = base + "/crashbench-bench-XXXXXX";
  if (templ.size() >= sizeof g_root || !::mkdtemp(templ.data())) return;
  root_ = templ;
  std::memcpy(g_root, root_.c_str(), root_.size() + 1);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGABRT}) ::signal(sig, OnFatalSignal);
}

BenchScratch::~BenchScratch() {
  if (!root_.empty()) (void)RemoveTree(root_);
}

std::string BenchScratch::NewSubdir() {
  if (root_.empty()) return "";
  std::string dir = root_ + "/" + std::to_string(next_++);
  return ::mkdir(dir.c_str(), 0700) == 0 ? dir : "";
}

}  // namespace crashbench
