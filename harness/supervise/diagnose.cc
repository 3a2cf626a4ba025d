#include "harness/supervise/diagnose.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "harness/base/sys.h"

namespace crashbench {
namespace {

std::string SyscallName(long nr) {
  switch (nr) {
    case SYS_read:
      return "read";
    case SYS_write:
      return "write";
    case SYS_openat:
      return "openat";
    case SYS_close:
      return "close";
    case SYS_fsync:
      return "fsync";
    case SYS_fdatasync:
      return "fdatasync";
    case SYS_flock:
      return "flock";
    case SYS_fcntl:
      return "fcntl";
    case SYS_futex:
      return "futex";
    case SYS_poll:
      return "poll";
    case SYS_ppoll:
      return "ppoll";
    case SYS_wait4:
      return "wait4";
    case SYS_waitid:
      return "waitid";
    case SYS_nanosleep:
      return "nanosleep";
    case SYS_clock_nanosleep:
      return "clock_nanosleep";
    case SYS_pause:
      return "pause";
    case SYS_rename:
      return "rename";
    case SYS_renameat:
      return "renameat";
    case SYS_renameat2:
      return "renameat2";
    case SYS_writev:
      return "writev";
    case SYS_readv:
      return "readv";
    case SYS_pwrite64:
      return "pwrite64";
    case SYS_epoll_wait:
      return "epoll_wait";
    case SYS_select:
      return "select";
    default:
      return "syscall " + std::to_string(nr);
  }
}

bool TakesFd(long nr) {
  return nr == SYS_read || nr == SYS_write || nr == SYS_fsync || nr == SYS_fdatasync ||
         nr == SYS_flock || nr == SYS_fcntl || nr == SYS_writev || nr == SYS_readv ||
         nr == SYS_pwrite64;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string DiagnoseBlockedProcess(const std::string& who, pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::ostringstream out;
  out << who << " (pid " << pid << ")";
  Result<std::string> syscall_text = ReadFileToString(proc + "/syscall");
  Result<std::string> wchan = ReadFileToString(proc + "/wchan");
  if (!syscall_text.ok()) {
    out << ": state unknown (" << syscall_text.status().message() << ")";
    return out.str();
  }
  std::string sc = Trim(*syscall_text);
  if (sc == "running") {
    out << " running (on a CPU, not blocked)";
  } else {
    long nr = -1;
    unsigned long arg0 = 0;
    std::sscanf(sc.c_str(), "%ld %lx", &nr, &arg0);
    if (nr < 0) {
      out << " not in a system call";
    } else {
      out << " blocked in " << SyscallName(nr) << "(2)";
      if (TakesFd(nr)) {
        char target[256] = {0};
        std::string link = proc + "/fd/" + std::to_string(arg0);
        ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
        out << " on fd " << arg0;
        if (n > 0) out << " (" << std::string(target, static_cast<size_t>(n)) << ")";
      }
    }
  }
  if (wchan.ok() && !Trim(*wchan).empty() && Trim(*wchan) != "0") out << ", wchan " << Trim(*wchan);
  return out.str();
}

}  // namespace crashbench
