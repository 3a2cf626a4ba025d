// The system calls the tap stops (x86_64), and the seccomp filter that stops
// them. Internal to harness/tap/.
#pragma once

#include <linux/filter.h>

#include <string_view>
#include <vector>

namespace crashbench::tap_internal {

struct TappedCall {
  long nr;
  std::string_view name;
  bool write_like;  // carries bytes: write, pwrite64, writev, ..., copy_file_range, sendfile
  bool fsync_like;  // fsync, fdatasync, sync_file_range
};

// Every call the filter stops, in the order of the list.
const std::vector<TappedCall>& TappedCalls();
// Null when nr is not stopped by the filter.
const TappedCall* FindTappedCall(long nr);

// open/openat/creat with write flags (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC),
// and every other tapped call: SECCOMP_RET_TRACE; anything else, and any call
// of another architecture than x86_64 (a 32-bit int 0x80 call), runs.
std::vector<sock_filter> BuildSeccompFilter();

}  // namespace crashbench::tap_internal
