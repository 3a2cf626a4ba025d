// The command subject's runs: the tap command built from the scenario, the
// observer built from the fault schedule, and the tap's outcome turned into a
// SubjectOutcome (acks placed among the events, processes, the fired event).
#include "harness/subject/command_subject.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

#include "harness/base/process.h"
#include "harness/base/sys.h"
#include "harness/subject/command_acks.h"
#include "harness/subject/command_observer.h"
#include "harness/tap/observers.h"

namespace crashbench {
namespace {

bool RootExitedZero(const TapOutcome& o) {
  return WIFEXITED(o.root_status) && WEXITSTATUS(o.root_status) == 0;
}

std::vector<ProcessEnd> Processes(const TapOutcome& o) {
  std::vector<ProcessEnd> out;
  for (size_t i = 0; i < o.processes.size(); ++i) {
    const TapProcessEnd& p = o.processes[i];
    ProcessEnd e;
    e.role = p.process == "0" ? "command" : "process";
    e.place = p.process;
    e.index = static_cast<int>(i);
    e.pid = p.pid;
    e.end = p.end;
    e.failed = !(WIFEXITED(p.wait_status) && WEXITSTATUS(p.wait_status) == 0);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

nlohmann::json FiredEventToJson(const TapEvent& e) {
  return {{"signature", EventSignature(e)}, {"call", e.call}, {"path", e.path},
          {"process", e.process},           {"pid", e.pid},   {"event", e.seq}};
}

CommandSubject::CommandSubject(const Scenario& s, std::string out_dir, std::string side_dir)
    : s_(s), out_dir_(std::move(out_dir)), side_dir_(std::move(side_dir)) {}

TapCommand CommandSubject::MakeCommand(const std::vector<std::string>& argv,
                                       const std::string& name, int stdout_fd) const {
  TapCommand cmd;
  const std::string work_dir = side_dir_ + "/work";
  for (const std::string& a : argv) cmd.argv.push_back(ReplaceOut(a, out_dir_, work_dir));
  for (const auto& [k, v] : s_.subject->env) cmd.env[k] = ReplaceOut(v, out_dir_, work_dir);
  const Workload& w = s_.workload;
  cmd.env["CRASHBENCH_OUT_DIR"] = out_dir_;
  cmd.env["CRASHBENCH_TASKS"] = std::to_string(w.tasks);
  cmd.env["CRASHBENCH_RECORDS_PER_TASK"] = std::to_string(w.records_per_task);
  cmd.env["CRASHBENCH_RECORD_BYTES"] = std::to_string(w.record_bytes);
  cmd.env["CRASHBENCH_WORKERS"] = std::to_string(s_.workers);
  cmd.env["CRASHBENCH_SEED"] = std::to_string(s_.seed);
  cmd.env["CRASHBENCH_ACK_FILE"] = side_dir_ + "/" + name + ".acks";
  cmd.env["CRASHBENCH_WORK_DIR"] = work_dir;
  cmd.cwd = out_dir_;
  cmd.watch_dir = out_dir_;
  cmd.extra_files = {side_dir_ + "/" + name + ".acks", side_dir_ + "/" + name + ".stdout"};
  cmd.stdout_fd = stdout_fd;
  cmd.deadline_ms = s_.deadline_ms;
  // A content-addressed trigger matches on the bytes, in fault-free runs too
  // (calibration counts the matches).
  const std::optional<SyscallTrigger>& trigger = s_.fault.trigger.syscall;
  cmd.keep_bytes = record_ || (trigger && !trigger->contains.empty());
  cmd.skip_fsync = record_;
  return cmd;
}

Status CommandSubject::Setup() {
  if (s_.subject->setup.empty()) return Status::Ok();
  UniqueFd out(::open((side_dir_ + "/setup.stdout").c_str(),
                      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!out.valid()) return ErrnoStatus("cannot create " + side_dir_ + "/setup.stdout", errno);
  Recorder recorder;
  Result<TapOutcome> r = RunTapped(MakeCommand(s_.subject->setup, "setup", out.get()), recorder);
  if (!r.ok()) return r.status().Annotate("setup " + s_.subject->setup.front());
  if (r->hang)
    return Status::Error("setup did not finish within " + std::to_string(s_.deadline_ms) +
                         " ms: " + r->hang_diagnosis);
  if (!RootExitedZero(*r))
    return Status::Error("setup " + s_.subject->setup.front() + " " +
                         DescribeWaitStatus(r->root_status) + " (its stderr is the trial's)");
  return Status::Ok();
}

Result<SubjectOutcome> CommandSubject::Run(const FaultSchedule& fault) {
  return RunOnce(fault, "run");
}

Result<SubjectOutcome> CommandSubject::Restart(const std::set<long long>&) {
  return RunOnce(FaultSchedule{}, "restart");
}

Result<SubjectOutcome> CommandSubject::RunOnce(const FaultSchedule& fault,
                                               const std::string& name) {
  const std::string stdout_path = side_dir_ + "/" + name + ".stdout";
  UniqueFd out(::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!out.valid()) return ErrnoStatus("cannot create " + stdout_path, errno);
  std::unique_ptr<FaultObserver> observer =
      MakeFaultObserver(fault, s_.fault.trigger.syscall.value_or(SyscallTrigger{}));
  TapCommand cmd = MakeCommand(s_.subject->command, name, out.get());
  observer->Configure(&cmd);
  Result<TapOutcome> tapped = RunTapped(cmd, *observer);
  out.Reset();
  if (!tapped.ok()) return tapped.status();
  SubjectOutcome o;
  o.duration_us = tapped->duration_us;
  o.hang = tapped->hang;
  o.hang_diagnosis = tapped->hang_diagnosis;
  o.processes = Processes(*tapped);
  o.pipeline_ok = RootExitedZero(*tapped) && !tapped->hang;
  o.fired = observer->Fired(*tapped);
  // The acks: from the ack file, or from standard output through the regex.
  const std::string& re_text = s_.subject->ack_stdout_regex;
  const std::string ack_path = re_text.empty() ? cmd.extra_files[0] : stdout_path;
  std::optional<std::regex> re;
  if (!re_text.empty()) re.emplace(re_text);
  Result<std::string> bytes = ReadFileToString(ack_path);
  const long long cut = observer->AcksCountUpTo();
  last_acks_.clear();
  for (const Ack& a : AcksFromEvents(tapped->events, ack_path, bytes.ok() ? *bytes : "", re))
    if (cut <= 0 || a.event_seq < cut) {
      o.acks.emplace_back(a.task, 0);
      last_acks_.emplace_back(a.task, a.event_seq);
    }
  last_events_ = std::move(tapped->events);
  return o;
}

std::vector<TapEvent> CommandSubject::LastEventsWithAcks() const {
  std::vector<TapEvent> out;
  size_t next = 0;
  for (const TapEvent& e : last_events_) {
    if (!e.extra) out.push_back(e);
    for (; next < last_acks_.size() && last_acks_[next].second == e.seq; ++next) {
      TapEvent ack;
      ack.seq = e.seq;
      ack.call = "write";
      ack.path = "acks";
      ack.extra = true;
      ack.bytes = std::to_string(last_acks_[next].first) + "\n";
      ack.length = static_cast<long long>(ack.bytes.size());
      ack.result = ack.length;
      out.push_back(std::move(ack));
    }
  }
  return out;
}

Status CommandSubject::WriteAckedFile(const std::set<long long>& acked) const {
  std::string text;
  for (long long t : acked) text += std::to_string(t) + "\n";
  return WriteFileAtomic(acked_file(), text);
}

}  // namespace crashbench
