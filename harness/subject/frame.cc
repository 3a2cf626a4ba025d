#include "harness/subject/frame.h"

#include <cstring>

#include "harness/base/sys.h"

namespace crashbench {
namespace {
uint32_t DecodeLength(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return u[0] | (u[1] << 8) | (u[2] << 16) | (static_cast<uint32_t>(u[3]) << 24);
}
}  // namespace

Status WriteFrame(int fd, std::string_view payload) {
  if (payload.size() > kMaxFrameBytes) return Status::Error("frame too large");
  std::string buf(4 + payload.size(), '\0');
  const uint32_t n = static_cast<uint32_t>(payload.size());
  for (int i = 0; i < 4; ++i) buf[static_cast<size_t>(i)] = static_cast<char>(n >> (8 * i));
  std::memcpy(buf.data() + 4, payload.data(), payload.size());
  return WriteFull(fd, buf.data(), buf.size());
}

Status ReadFrame(int fd, std::string* payload) {
  char len[4];
  size_t got = 0;
  Status s = ReadFull(fd, len, 4, &got);
  if (!s.ok()) return got == 0 ? s : Status::Error("cut-short frame length");
  uint32_t n = DecodeLength(len);
  if (n > kMaxFrameBytes) return Status::Error("frame length " + std::to_string(n) + " too large");
  payload->resize(n);
  s = ReadFull(fd, payload->data(), n);
  if (!s.ok()) return Status::Error("cut-short frame");
  return Status::Ok();
}

bool FrameBuffer::Next(std::string* payload) {
  if (broken_ || buf_.size() < 4) return false;
  uint32_t n = DecodeLength(buf_.data());
  if (n > kMaxFrameBytes) {
    broken_ = true;
    return false;
  }
  if (buf_.size() < 4 + n) return false;
  payload->assign(buf_, 4, n);
  buf_.erase(0, 4 + n);
  return true;
}

}  // namespace crashbench
