// The built-in faults. A new fault is a new file plus one line here.
#include "faults/fault.h"

namespace crashbench {

std::unique_ptr<Fault> MakeNoFault();
std::unique_ptr<Fault> MakeSigkillFault();

const std::vector<FaultInfo>& AllFaults() {
  static const std::vector<FaultInfo> kFaults = {
      {"none", &MakeNoFault},
      {"sigkill", &MakeSigkillFault},
  };
  return kFaults;
}

}  // namespace crashbench
