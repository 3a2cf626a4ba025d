// Fault "power-loss": the machine loses power (or the kernel panics). Unlike
// kill -9, the page cache does not survive: what was not made durable may be
// lost, in part, or out of order. No process is touched: the whole run is
// recorded under the syscall tap (every file operation and acknowledgement in
// one order) and every crash state a persistence model allows at every cut of
// that log is rebuilt and judged (harness/persist/power_loss.h). So the fault
// has no target and no trigger: its crash points are the cuts.
//
//   {"kind": "power-loss", "model": "ext4-ordered", "states": "all" | N,
//    "auto_da_alloc": "on" | "off", "cuts": "all" | "persist"}
#include <memory>

#include "harness/inject/fault.h"

namespace crashbench {
namespace {

class PowerLossFault final : public Fault {
 public:
  std::string_view name() const override { return "power-loss"; }
  std::string_view models() const override {
    return "power loss or a kernel panic: the page cache is lost; what survives is what the "
           "persistence model lets survive of the recorded run";
  }
  FaultNeeds needs() const override { return {FaultNeed::kRecordedRun}; }
  // Never reached: a power-loss trial runs its subject with no fault armed.
  void FireInSelf(TargetProcess&) const override {}
  Status FireAt(int) const override {
    return Status::Error("fault 'power-loss' acts on a recorded run, never on a process");
  }
  bool ends_process() const override { return false; }
  bool whole_run() const override { return true; }
  std::vector<FaultOption> options() const override {
    return {
        {"model",
         {"ext4-ordered", "lazyfs", "posix-weak", "prefix"},
         false,
         "the persistence model: ext4 data=ordered (the default), unsynced data dropped "
         "(lazyfs), only what fsync ordered (posix-weak), every issued op (prefix: a process "
         "crash)"},
        {"states",
         {"all"},
         true,
         "crash states checked: every state the model's bounded enumeration gives (capped by "
         "--max-states), or the first N in priority order"},
        {"auto_da_alloc",
         {"on", "off"},
         false,
         "ext4-ordered only: flush a file's data before a rename over an existing file (off "
         "approximates xfs)"},
        {"cuts",
         {"all", "persist"},
         false,
         "crash after every operation, or only after each sync and acknowledgement"},
    };
  }
  Status CheckOptions(const std::map<std::string, std::string>& o) const override {
    if (o.at("auto_da_alloc") != "on" && o.at("model") != "ext4-ordered")
      return Status::Error("fault.auto_da_alloc: only the ext4-ordered model has it (model is '" +
                           o.at("model") + "')");
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Fault> MakePowerLossFault() { return std::make_unique<PowerLossFault>(); }

}  // namespace crashbench
