// Turns a call stopped by the tap into a TapEvent: which file it changes
// (through /proc/PID/fd and its own path arguments, read from the tracee's
// memory, relative paths and *at dirfds resolved), where and how many bytes,
// and their CRC-32C. Internal to harness/tap/.
#pragma once

#include <sys/types.h>
#include <sys/user.h>

#include <cstdint>
#include <string>
#include <vector>

#include "harness/tap/tap.h"
#include "harness/tap/tap_calls.h"

namespace crashbench::tap_internal {

// The tracee's memory, read and written with process_vm_readv/writev.
bool ReadTracee(pid_t tid, uint64_t addr, void* out, size_t n);
bool WriteTracee(pid_t tid, uint64_t addr, const void* in, size_t n);

// "/a/./b/../c" -> "/a/c"; symlinks are not followed (a file being created
// does not exist yet).
std::string NormalizePath(const std::string& path);

class Decoder {
 public:
  // watch_dir and extra_files absolute; both are canonicalized (their
  // directories' symlinks resolved) so that /proc's paths compare equal.
  Decoder(const std::string& watch_dir, const std::vector<std::string>& extra_files,
          bool keep_bytes);

  // Fills every field of e the call determines (call, path, path2, extra,
  // offset, length, open_flags, bytes_crc, bytes). False when the call touches
  // no watched file (e is then partly filled and must not be used).
  bool Decode(pid_t tid, const user_regs_struct& regs, const TappedCall& call, TapEvent* e) const;

 private:
  enum class Where { kOutside, kWatched, kExtra };
  Where Classify(const std::string& abs, std::string* name) const;
  // Sets e->path (or path2) from an absolute path; returns whether it is watched.
  bool Place(const std::string& abs, std::string* field, bool* extra) const;
  bool DecodeFdCall(pid_t tid, const user_regs_struct& r, const TappedCall& call,
                    TapEvent* e) const;
  bool DecodePathCall(pid_t tid, const user_regs_struct& r, TapEvent* e) const;
  void ReadBytes(pid_t tid, const user_regs_struct& r, TapEvent* e) const;
  void ReadFileBytes(pid_t tid, int in_fd, uint64_t off_ptr, long long want, TapEvent* e) const;

  std::string watch_dir_;
  std::vector<std::string> extra_abs_, extra_names_;
  bool keep_bytes_;
};

}  // namespace crashbench::tap_internal
