// The built-in faults. A new fault is a new file plus one line here.
#include "faults/fault.h"

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
  };
  return kFaults;
}

}  // namespace crashbench
