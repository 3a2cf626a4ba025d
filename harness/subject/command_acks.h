// A command subject's acknowledgements, placed among the events of its run.
// A program acknowledges a committed task by appending one line "<task>\n" to
// $CRASHBENCH_ACK_FILE (or, when the scenario gives "acks": {"stdout": RE},
// by printing a line RE matches, the task id in its one group). The tap
// watches that file as an extra file, so every write to it is an event in the
// run's one total order; a line is acknowledged by the write that carried its
// newline. A last line without its newline (a torn ack) acknowledges nothing.
//
//   std::vector<Ack> acks = AcksFromEvents(outcome.events, ack_path, file_bytes, {});
//   for (const Ack& a : acks) if (a.event_seq < fired_seq) acked.insert(a.task);
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "harness/tap/tap.h"

namespace crashbench {

struct Ack {
  long long task = 0;
  long long event_seq = 0;  // the TapEvent::seq of the write that completed the line
};

// The acks in `bytes` (what the file holds after the run), each placed at the
// event that wrote its newline. Events count when they are write-like calls
// on `path` (an extra watched file) that ran: their results, in event order,
// add up to the file's bytes. A line is an ack when it is a decimal task id
// (ack file: the whole line; stdout: the regex's group of a line it matches).
// A line whose writer cannot be found (the file was written outside the tap)
// gets the last event's seq.
std::vector<Ack> AcksFromEvents(const std::vector<TapEvent>& events, const std::string& path,
                                const std::string& bytes, const std::optional<std::regex>& line_re);

// A task id as an ack line holds it: decimal digits only, at most 15 of them.
std::optional<long long> ParseTaskId(const std::string& text);

}  // namespace crashbench
