// How scenarios and their parts are named: the rule for a scenario's name,
// the names of start methods, policies and resume modes, and fault labels.
#include "faults/registry.h"
#include "scenarios/scenario.h"
#include "scenarios/syscall_trigger_spec.h"

namespace crashbench {

Status CheckScenarioName(const std::string& name) {
  const std::string rule = ": a scenario name is 1 to " + std::to_string(kMaxScenarioNameChars) +
                           " characters on one line, without control characters";
  if (name.empty()) return Status::Error("is empty" + rule);
  size_t chars = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    chars += (c & 0xC0) != 0x80;  // UTF-8: count the first byte of each character
    const bool c1 = c == 0xC2 && i + 1 < name.size() &&
                    (static_cast<unsigned char>(name[i + 1]) & 0xE0) == 0x80;  // U+0080..U+009F
    if (c < 0x20 || c == 0x7f || c1)
      return Status::Error("holds a control character (character " + std::to_string(chars) + ")" +
                           rule);
  }
  if (chars > kMaxScenarioNameChars)
    return Status::Error("is " + std::to_string(chars) + " characters long" + rule);
  return Status::Ok();
}

std::string_view StartMethodName(StartMethod m) {
  return m == StartMethod::kFork ? "fork" : "spawn";
}

std::string_view WorkerDeathPolicyName(WorkerDeathPolicy p) {
  switch (p) {
    case WorkerDeathPolicy::kFailPool:
      return "fail-pool";
    case WorkerDeathPolicy::kFailTask:
      return "fail-task";
    case WorkerDeathPolicy::kRetryTask:
      return "retry-task";
  }
  return "?";
}

std::string_view ResumeName(Resume r) { return r == Resume::kNone ? "none" : "skip-existing"; }

// Switches without a default: a new mode without its help is a -Wswitch warning.
std::string_view WorkerDeathPolicyHelp(WorkerDeathPolicy p) {
  switch (p) {
    case WorkerDeathPolicy::kFailPool:
      return "every pending task fails and nothing more is dispatched (ProcessPoolExecutor's "
             "BrokenProcessPool)";
    case WorkerDeathPolicy::kFailTask:
      return "only the dead worker's task fails; a new worker takes its place";
    case WorkerDeathPolicy::kRetryTask:
      static_assert(kMaxAttempts == 3, "the help below says how many runs");
      return "the task runs again on a new worker, up to 3 runs in all (loky, job queues)";
  }
  return "?";
}

std::string_view ResumeHelp(Resume r) {
  switch (r) {
    case Resume::kNone:
      return "the faulty run is the whole pipeline";
    case Resume::kSkipExisting:
      return "the pipeline runs again after the faulty run, skipping every task whose output "
             "file exists (per-task layouts)";
  }
  return "?";
}

std::string_view StartMethodHelp(StartMethod m) {
  switch (m) {
    case StartMethod::kFork:
      return "workers are forked from the pool and inherit its memory (stdio buffers included)";
    case StartMethod::kSpawn:
      return "workers are re-executed from the binary and inherit only descriptors";
  }
  return "?";
}

std::string FaultLabel(const FaultSpec& f) {
  if (f.kind == "none") return "none";
  std::string label = f.kind + "@";
  // A whole-run fault: its first option's value, then each other option
  // that is not its default ("power-loss@lazyfs/states=100").
  const FaultInfo* info = FindFault(f.kind);
  if (info && info->make()->whole_run()) {
    const std::vector<FaultOption> options = info->make()->options();
    for (size_t i = 0; i < options.size(); ++i) {
      auto it = f.options.find(std::string(options[i].key));
      const std::string value = it == f.options.end() ? "" : it->second;
      if (i == 0)
        label += value.empty() ? std::string(options[i].values.front()) : value;
      else if (!value.empty() && value != options[i].values.front())
        label += "/" + std::string(options[i].key) + "=" + value;
    }
    return label;
  }
  switch (f.trigger.type) {
    case TriggerType::kNone:
      label += "?";
      break;
    case TriggerType::kAfterRecords:
      label += "after-" + std::to_string(f.trigger.after_records) + "-records";
      break;
    case TriggerType::kAfterMs:
      label += "after-" + std::to_string(f.trigger.after_ms) + "ms";
      break;
    case TriggerType::kRandom:
      label += "random";
      break;
    case TriggerType::kPoint:
      label += FaultPointName(f.trigger.point);
      break;
    case TriggerType::kSyscall:
      label += SyscallTriggerLabel(f.trigger.syscall.value_or(SyscallTrigger{}));
      break;
  }
  // Each trigger's default target goes unsaid.
  const FaultTarget usual =
      f.trigger.type == TriggerType::kSyscall ? FaultTarget::kCaller : FaultTarget::kWorker;
  if (f.target != usual) label += "/" + std::string(FaultTargetName(f.target));
  return label;
}

}  // namespace crashbench
