// The built-in faults, by name. A new fault is one file in faults/ plus one
// line in faults/registry.cc.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness/inject/fault.h"

namespace crashbench {

struct FaultInfo {
  std::string_view name;
  std::unique_ptr<Fault> (*make)();
};

// All built-in faults, "none" first.
const std::vector<FaultInfo>& AllFaults();
const FaultInfo* FindFault(std::string_view name);
std::string FaultNameList();

// Whether fault `kind` can be produced by `method` on this machine
// (Fault::ProbeMethod); Ok for an unknown kind, which validation refuses.
Status ProbeFaultMethod(std::string_view kind, std::string_view method);

}  // namespace crashbench
