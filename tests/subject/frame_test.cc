// Length-prefixed frames, the pool's protocol with its workers: how a
// supervisor reassembles them from a non-blocking pipe's reads, however the
// bytes are cut, and how a blocking reader meets a stream that ends.
#include "harness/subject/frame.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "harness/base/sys.h"

namespace crashbench {
namespace {

// The bytes WriteFrame puts on a pipe for each payload, in order.
std::string Wire(const std::vector<std::string>& payloads) {
  UniqueFd r, w;
  EXPECT_TRUE(MakePipe(&r, &w).ok());
  for (const std::string& p : payloads) EXPECT_TRUE(WriteFrame(w.get(), p).ok());
  w.Reset();
  std::string bytes;
  char buf[4096];
  for (ssize_t n; (n = ::read(r.get(), buf, sizeof buf)) > 0;) bytes.append(buf, n);
  return bytes;
}

std::vector<std::string> TakeAll(FrameBuffer& frames) {
  std::vector<std::string> out;
  for (std::string f; frames.Next(&f);) out.push_back(f);
  return out;
}

TEST(Frame, LengthIsFourBytesLittleEndian) {
  EXPECT_EQ(Wire({"{\"task\":7}"}), std::string("\x0a\x00\x00\x00", 4) + "{\"task\":7}");
}

TEST(FrameBuffer, OneFrameSplitAcrossReadsAtEveryByte) {
  const std::string bytes = Wire({"{\"ack\":3,\"st\":[1,2]}"});
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    FrameBuffer frames;
    frames.Append(bytes.data(), cut);
    std::vector<std::string> got = TakeAll(frames);
    EXPECT_EQ(got.size(), cut == bytes.size() ? 1u : 0u) << "cut at " << cut;
    frames.Append(bytes.data() + cut, bytes.size() - cut);
    for (const std::string& f : TakeAll(frames)) got.push_back(f);
    EXPECT_EQ(got, std::vector<std::string>{"{\"ack\":3,\"st\":[1,2]}"}) << "cut at " << cut;
    EXPECT_EQ(frames.pending(), 0u);
  }
}

TEST(FrameBuffer, ByteByByte) {
  const std::vector<std::string> sent = {"{\"ack\":0}", "{\"fail\":1,\"error\":\"EIO\"}", "{}"};
  const std::string bytes = Wire(sent);
  FrameBuffer frames;
  std::vector<std::string> got;
  for (char c : bytes) {
    frames.Append(&c, 1);
    for (std::string f; frames.Next(&f);) got.push_back(f);
  }
  EXPECT_EQ(got, sent);
}

TEST(FrameBuffer, SeveralFramesInOneRead) {
  const std::vector<std::string> sent = {"{\"ack\":0}", "{\"ack\":1}", "{\"fatal\":\"no dir\"}"};
  FrameBuffer frames;
  const std::string bytes = Wire(sent);
  frames.Append(bytes.data(), bytes.size());
  EXPECT_EQ(TakeAll(frames), sent);
  EXPECT_EQ(frames.pending(), 0u);
}

TEST(FrameBuffer, EmptyPayloadIsAFrame) {
  FrameBuffer frames;
  const std::string bytes = Wire({"", "x"});
  frames.Append(bytes.data(), bytes.size());
  EXPECT_EQ(TakeAll(frames), (std::vector<std::string>{"", "x"}));
}

TEST(FrameBuffer, TruncatedFrameIsHeldNotDelivered) {
  const std::string whole = Wire({"{\"ack\":0}", "{\"ack\":1}"});
  FrameBuffer frames;
  frames.Append(whole.data(), whole.size() - 3);  // the writer died mid-frame
  EXPECT_EQ(TakeAll(frames), std::vector<std::string>{"{\"ack\":0}"});
  EXPECT_EQ(frames.pending(), 4 + std::string("{\"ack\":1}").size() - 3);
  EXPECT_FALSE(frames.broken());
}

TEST(FrameBuffer, LengthOverTheLimitBreaksTheStream) {
  const uint32_t n = kMaxFrameBytes + 1;
  const char len[4] = {static_cast<char>(n), static_cast<char>(n >> 8), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 24)};
  FrameBuffer frames;
  frames.Append(len, 4);
  frames.Append("xxxx", 4);
  std::string f;
  EXPECT_FALSE(frames.Next(&f));
  EXPECT_TRUE(frames.broken());
  const std::string more = Wire({"{\"ack\":0}"});
  frames.Append(more.data(), more.size());
  EXPECT_FALSE(frames.Next(&f)) << "nothing after a broken length can be trusted";
}

TEST(Frame, WriteRefusesAPayloadOverTheLimit) {
  UniqueFd r, w;
  ASSERT_TRUE(MakePipe(&r, &w).ok());
  EXPECT_FALSE(WriteFrame(w.get(), std::string(kMaxFrameBytes + 1, 'x')).ok());
}

TEST(Frame, ReadFrameRoundTripsAndEndsCleanly) {
  UniqueFd r, w;
  ASSERT_TRUE(MakePipe(&r, &w).ok());
  ASSERT_TRUE(WriteFrame(w.get(), "{\"task\":1}").ok());
  ASSERT_TRUE(WriteFrame(w.get(), "{\"task\":2}").ok());
  w.Reset();
  std::string payload;
  ASSERT_TRUE(ReadFrame(r.get(), &payload).ok());
  EXPECT_EQ(payload, "{\"task\":1}");
  ASSERT_TRUE(ReadFrame(r.get(), &payload).ok());
  EXPECT_EQ(payload, "{\"task\":2}");
  Status end = ReadFrame(r.get(), &payload);
  EXPECT_FALSE(end.ok());
  EXPECT_EQ(end.err(), 0);
  EXPECT_EQ(end.message(), "eof");
}

TEST(Frame, ReadFrameReportsACutShortFrame) {
  const std::string whole = Wire({"{\"task\":12345}"});
  for (size_t keep : {size_t{2}, size_t{6}}) {  // inside the length, inside the payload
    UniqueFd r, w;
    ASSERT_TRUE(MakePipe(&r, &w).ok());
    ASSERT_TRUE(WriteFull(w.get(), whole.data(), keep).ok());
    w.Reset();
    std::string payload;
    Status s = ReadFrame(r.get(), &payload);
    EXPECT_FALSE(s.ok()) << keep;
    EXPECT_NE(s.message(), "eof") << keep;
  }
}

}  // namespace
}  // namespace crashbench
