// A command subject: a program crashbench did not write (scenario key
// "subject", scenarios/subject_spec.h), run under the syscall tap
// (harness/tap/tap.h) so that a fault can be aimed at one of its system
// calls, or at a moment, and every file-changing call it makes is recorded.
//
//   CommandSubject subject(scenario, "/scratch/0-3", "/scratch/0-3.side");
//   RETURN_IF_ERROR(subject.Setup());            // "setup", fault-free
//   Result<SubjectOutcome> run = subject.Run(fault);
//   if (scenario.subject->restart) subject.Restart({});
//
// What the program gets: argv and env with "{out}" replaced, its working
// directory the output directory, CRASHBENCH_OUT_DIR, CRASHBENCH_TASKS,
// CRASHBENCH_RECORDS_PER_TASK, CRASHBENCH_RECORD_BYTES, CRASHBENCH_WORKERS,
// CRASHBENCH_SEED and CRASHBENCH_ACK_FILE, its standard input /dev/null, its
// standard output a file in the side directory (where a stdout ack regex
// reads it), its standard error the trial's. The ack file and the standard
// output live in the side directory, outside the output directory, so they
// are never judged as output and never match a trigger.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/subject/subject.h"
#include "harness/tap/syscall_trigger.h"
#include "harness/tap/tap.h"
#include "scenarios/scenario.h"

namespace crashbench {

// The event a syscall-triggered fault fired at, as results keep it.
nlohmann::json FiredEventToJson(const TapEvent& e);

class CommandSubject final : public Subject {
 public:
  // out_dir: the output directory (judged); side_dir: the trial's own
  // scratch beside it, created by the caller. REQUIRES: s.subject.
  CommandSubject(const Scenario& s, std::string out_dir, std::string side_dir);

  // Runs "setup" (when the scenario has one) fault-free; an error when it
  // did not exit 0 in time, naming how it ended.
  Status Setup();
  // The command under the tap with the fault armed. SubjectOutcome::fired
  // holds the event's signature, call, path and process (syscall trigger) or
  // the moment (after_ms, random); acks count only up to the fired event
  // when the fault ended the whole run there.
  Result<SubjectOutcome> Run(const FaultSchedule& fault) override;
  // The command again, fault-free, on the same output directory (it decides
  // itself what to skip: done_tasks is not used).
  Result<SubjectOutcome> Restart(const std::set<long long>& done_tasks) override;

  // The last run's events, in order (calibration reads the matches of the
  // trigger from them).
  const std::vector<TapEvent>& last_events() const { return last_events_; }
  // Power loss: the runs keep every write's bytes and skip fsync-like calls
  // (the persistence model supplies durability).
  void RecordForPowerLoss() { record_ = true; }
  bool recording() const { return record_; }
  // The last run's events with the events on extra files (the ack file,
  // standard output) replaced by one write of "<task>\n" to the extra file
  // "acks" per acknowledgement, right after the event that completed it:
  // the log a persistence model reads (harness/persist/from_tap.h).
  std::vector<TapEvent> LastEventsWithAcks() const;
  // A file holding every task acknowledged by the runs so far, one per line
  // (what a command oracle gets); written by WriteAckedFile.
  std::string acked_file() const { return side_dir_ + "/acked"; }
  Status WriteAckedFile(const std::set<long long>& acked) const;

 private:
  Result<SubjectOutcome> RunOnce(const FaultSchedule& fault, const std::string& name);
  TapCommand MakeCommand(const std::vector<std::string>& argv, const std::string& name,
                         int stdout_fd) const;

  const Scenario& s_;
  const std::string out_dir_;
  const std::string side_dir_;
  std::vector<TapEvent> last_events_;
  std::vector<std::pair<long long, long long>> last_acks_;  // (task, event seq)
  bool record_ = false;
};

}  // namespace crashbench
