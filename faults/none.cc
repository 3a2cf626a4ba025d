// Fault "none": nothing breaks. The baseline every other fault is read against.
#include <memory>

#include "harness/inject/fault.h"

namespace crashbench {
namespace {

class NoFault final : public Fault {
 public:
  std::string_view name() const override { return "none"; }
  std::string_view models() const override { return "no crash: the pipeline runs to completion"; }
  FaultNeeds needs() const override { return {}; }
  void FireInSelf(TargetProcess&) const override {}
  Status FireAt(int) const override { return Status::Ok(); }
};

}  // namespace

std::unique_ptr<Fault> MakeNoFault() { return std::make_unique<NoFault>(); }

}  // namespace crashbench
