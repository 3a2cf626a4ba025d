#include "harness/tap/tap_calls.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>

namespace crashbench::tap_internal {
namespace {

// Calls whose flags the filter checks first: only a write-capable open stops.
struct FlagCheck {
  long nr;
  int flags_arg;
};
constexpr FlagCheck kOpenCalls[] = {{SYS_open, 1}, {SYS_openat, 2}};
constexpr unsigned kWriteFlags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC;

sock_filter Stmt(unsigned short code, unsigned k) { return BPF_STMT(code, k); }
sock_filter Jump(unsigned short code, unsigned k, unsigned char jt, unsigned char jf) {
  return BPF_JUMP(code, k, jt, jf);
}

}  // namespace

const std::vector<TappedCall>& TappedCalls() {
  static const std::vector<TappedCall> kCalls = {
      {SYS_open, "open", false, false},
      {SYS_openat, "openat", false, false},
      {SYS_openat2, "openat2", false, false},
      {SYS_creat, "creat", false, false},
      {SYS_write, "write", true, false},
      {SYS_pwrite64, "pwrite64", true, false},
      {SYS_writev, "writev", true, false},
      {SYS_pwritev, "pwritev", true, false},
      {SYS_pwritev2, "pwritev2", true, false},
      {SYS_fsync, "fsync", false, true},
      {SYS_fdatasync, "fdatasync", false, true},
      {SYS_sync_file_range, "sync_file_range", false, true},
      {SYS_rename, "rename", false, false},
      {SYS_renameat, "renameat", false, false},
      {SYS_renameat2, "renameat2", false, false},
      {SYS_unlink, "unlink", false, false},
      {SYS_unlinkat, "unlinkat", false, false},
      {SYS_rmdir, "rmdir", false, false},
      {SYS_truncate, "truncate", false, false},
      {SYS_ftruncate, "ftruncate", false, false},
      {SYS_close, "close", false, false},
      {SYS_mkdir, "mkdir", false, false},
      {SYS_mkdirat, "mkdirat", false, false},
      {SYS_link, "link", false, false},
      {SYS_linkat, "linkat", false, false},
      {SYS_symlink, "symlink", false, false},
      {SYS_symlinkat, "symlinkat", false, false},
      {SYS_copy_file_range, "copy_file_range", true, false},
      {SYS_sendfile, "sendfile", true, false},
      {SYS_fallocate, "fallocate", false, false},
  };
  return kCalls;
}

const TappedCall* FindTappedCall(long nr) {
  for (const TappedCall& c : TappedCalls())
    if (c.nr == nr) return &c;
  return nullptr;
}

std::vector<sock_filter> BuildSeccompFilter() {
  // Layout: [arch check] [one jeq per plain call -> TRACE] [per open call: jeq,
  // load flags, jset -> TRACE else ALLOW] ALLOW TRACE. Jumps are relative,
  // so each is computed from the instruction's own index.
  std::vector<long> plain;
  for (const TappedCall& c : TappedCalls())
    if (c.nr != SYS_open && c.nr != SYS_openat) plain.push_back(c.nr);
  const size_t n_open = std::size(kOpenCalls);
  const size_t header = 3;      // ld arch; jeq arch; ld nr
  const size_t open_block = 3;  // jeq nr; ld flags; jset
  const size_t allow = header + plain.size() + n_open * open_block;
  const size_t trace = allow + 1;
  std::vector<sock_filter> f;
  f.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
  f.push_back(
      Jump(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, static_cast<unsigned char>(allow - 2)));
  f.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
  for (long nr : plain) {
    const size_t at = f.size();
    f.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(nr),
                     static_cast<unsigned char>(trace - at - 1), 0));
  }
  for (const FlagCheck& o : kOpenCalls) {
    const size_t at = f.size();
    // Not this call: skip the rest of its block (nr stays in A).
    f.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(o.nr), 0, 2));
    // The low 32 bits of the flags argument (little-endian).
    f.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS,
                     static_cast<unsigned>(offsetof(seccomp_data, args) + 8 * o.flags_arg)));
    f.push_back(Jump(BPF_JMP | BPF_JSET | BPF_K, kWriteFlags,
                     static_cast<unsigned char>(trace - (at + 2) - 1),
                     static_cast<unsigned char>(allow - (at + 2) - 1)));
  }
  f.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  f.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_TRACE));
  return f;
}

}  // namespace crashbench::tap_internal
