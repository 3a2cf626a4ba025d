// Acks of a command subject, placed among the events of its run: a line is
// acknowledged by the write that carried its newline; a torn last line, or a
// write that never ran, acknowledges nothing.
#include "harness/subject/command_acks.h"

#include <gtest/gtest.h>

namespace crashbench {
namespace {

const std::string kAcks = "/scratch/0-1.side/run.acks";

TapEvent AckWrite(long long seq, std::optional<long long> result, std::string path = kAcks) {
  TapEvent e;
  e.seq = seq;
  e.call = "write";
  e.path = std::move(path);
  e.extra = true;
  e.result = result;
  return e;
}

TapEvent OutputWrite(long long seq) {
  TapEvent e;
  e.seq = seq;
  e.call = "write";
  e.path = "part-0.json";
  e.result = 10;
  return e;
}

TEST(CommandAcks, EachLineIsPlacedAtTheWriteOfItsNewline) {
  // "3\n" in one write (event 2); "17\n" in two writes, "1" (event 4) and "7\n" (event 6).
  std::vector<TapEvent> events = {OutputWrite(1), AckWrite(2, 2), OutputWrite(3),
                                  AckWrite(4, 1), OutputWrite(5), AckWrite(6, 2)};
  std::vector<Ack> acks = AcksFromEvents(events, kAcks, "3\n17\n", std::nullopt);
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0].task, 3);
  EXPECT_EQ(acks[0].event_seq, 2);
  EXPECT_EQ(acks[1].task, 17);
  EXPECT_EQ(acks[1].event_seq, 6);
}

TEST(CommandAcks, ATornLastLineIsNoAck) {
  std::vector<TapEvent> events = {AckWrite(1, 2), AckWrite(2, 1)};
  std::vector<Ack> acks = AcksFromEvents(events, kAcks, "4\n1", std::nullopt);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].task, 4);
}

TEST(CommandAcks, WritesThatNeverRanAndOtherFilesAreNotCounted) {
  // Event 2 was killed before it ran: the file's bytes all came from event 3.
  std::vector<TapEvent> events = {AckWrite(1, 0), AckWrite(2, std::nullopt),
                                  AckWrite(3, 3, "/elsewhere"), AckWrite(4, 3)};
  std::vector<Ack> acks = AcksFromEvents(events, kAcks, "12\n", std::nullopt);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].event_seq, 4);
}

TEST(CommandAcks, LinesThatAreNotTaskIdsAreIgnored) {
  std::vector<TapEvent> events = {AckWrite(1, 18)};
  std::vector<Ack> acks = AcksFromEvents(events, kAcks, "x\n-1\n 2\n\n5\n6\r\n", std::nullopt);
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0].task, 5);
  EXPECT_EQ(acks[1].task, 6);
  EXPECT_FALSE(ParseTaskId("1234567890123456").has_value());  // beyond any workload
}

TEST(CommandAcks, StdoutLinesAreAcksWhereTheRegexMatchesTheirGroup) {
  const std::string out = "/scratch/0-1.side/run.stdout";
  std::vector<TapEvent> events = {AckWrite(1, 30, out)};
  std::vector<Ack> acks = AcksFromEvents(events, out, "starting\ndone 3\ndone x\ndone 9\n",
                                         std::regex("^done (\\d+)$"));
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0].task, 3);
  EXPECT_EQ(acks[1].task, 9);
  EXPECT_EQ(acks[1].event_seq, 1);
}

TEST(CommandAcks, BytesTheTapNeverSawTakeTheLastWrite) {
  // The file holds more than the events wrote (written before the tap saw it).
  std::vector<TapEvent> events = {AckWrite(5, 2)};
  std::vector<Ack> acks = AcksFromEvents(events, kAcks, "1\n2\n", std::nullopt);
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[1].event_seq, 5);
}

}  // namespace
}  // namespace crashbench
