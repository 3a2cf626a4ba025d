// The built-in faults. A new fault is a new file plus one line here.
#include "faults/registry.h"

namespace crashbench {

std::unique_ptr<Fault> MakeNoFault();
std::unique_ptr<Fault> MakeSigkillFault();
std::unique_ptr<Fault> MakeAbortFault();
std::unique_ptr<Fault> MakeExitNoFlushFault();
std::unique_ptr<Fault> MakeOomFault();
std::unique_ptr<Fault> MakePipeFullFault();
std::unique_ptr<Fault> MakePipeBrokenFault();
std::unique_ptr<Fault> MakeDiskFullFault();
std::unique_ptr<Fault> MakeEioFault();
std::unique_ptr<Fault> MakeShortWriteFault();
std::unique_ptr<Fault> MakePowerLossFault();

const std::vector<FaultInfo>& AllFaults() {
  static const std::vector<FaultInfo> kFaults = {
      {"none", &MakeNoFault},
      {"sigkill", &MakeSigkillFault},
      {"abort", &MakeAbortFault},
      {"exit-no-flush", &MakeExitNoFlushFault},
      {"oom", &MakeOomFault},
      {"pipe-full", &MakePipeFullFault},
      {"pipe-broken", &MakePipeBrokenFault},
      {"disk-full", &MakeDiskFullFault},
      {"eio", &MakeEioFault},
      {"short-write", &MakeShortWriteFault},
      {"power-loss", &MakePowerLossFault},
  };
  return kFaults;
}

const FaultInfo* FindFault(std::string_view name) {
  for (const FaultInfo& f : AllFaults())
    if (f.name == name) return &f;
  return nullptr;
}

std::string FaultNameList() {
  std::string s;
  for (const FaultInfo& f : AllFaults()) (s += s.empty() ? "" : ", ") += f.name;
  return s;
}

Status ProbeFaultMethod(std::string_view kind, std::string_view method) {
  const FaultInfo* info = FindFault(kind);
  return info ? info->make()->ProbeMethod(method) : Status::Ok();
}

}  // namespace crashbench
