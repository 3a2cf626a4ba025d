// Length-prefixed JSON frames: the supervisor's protocol with its workers.
// A frame is a 4-byte little-endian length followed by that many bytes of JSON.
//   supervisor -> worker: {"task":T}
//   worker -> supervisor: {"ack":T,"st":[ns per stage]} | {"fail":T,"error":"..."}
//                         | {"fatal":"..."}
//     an ack or fail also holds "after_fault":true when the fault acted in or
//     on the worker before it was sent (see Supervisor::HandleFrame)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "harness/base/status.h"

namespace crashbench {

inline constexpr uint32_t kMaxFrameBytes = 1u << 20;

// Blocking, whole frame (one write(2) when it fits the pipe's atomic size).
Status WriteFrame(int fd, std::string_view payload);
// Blocking. A clean end of stream before the first byte is Status "eof" with err()==0.
Status ReadFrame(int fd, std::string* payload);

// Reassembles frames from a non-blocking descriptor's bytes.
class FrameBuffer {
 public:
  void Append(const char* p, size_t n) { buf_.append(p, n); }
  // Takes the next whole frame, if one is there.
  bool Next(std::string* payload);
  bool broken() const { return broken_; }  // a length over kMaxFrameBytes
  size_t pending() const { return buf_.size(); }

 private:
  std::string buf_;
  bool broken_ = false;
};

}  // namespace crashbench
