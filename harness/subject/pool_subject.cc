// The worker pool as a Subject: the pool's configuration comes from the
// scenario once; each run adds the fault it carries, a restart adds the tasks
// it skips.
#include "harness/subject/pool.h"

namespace crashbench {
namespace {

PoolConfig PoolConfigFor(const Scenario& s, const std::string& dir, const std::string& self_exe) {
  PoolConfig pc;
  pc.strategy = FindStrategy(s.strategy);
  pc.strategy_config.dir = dir;
  pc.strategy_config.options = s.options;
  pc.strategy_config.payload_seed = s.seed;
  pc.strategy_config.records_per_task = s.workload.records_per_task;
  pc.strategy_config.record_bytes = s.workload.record_bytes;
  pc.strategy_config.tasks = s.workload.tasks;
  pc.workers = s.workers;
  pc.tasks = s.workload.tasks;
  pc.deadline_ms = s.deadline_ms;
  pc.start_method = s.start_method;
  pc.self_exe = self_exe;
  pc.on_worker_death = s.on_worker_death;
  return pc;
}

class PoolSubject final : public Subject {
 public:
  explicit PoolSubject(PoolConfig config) : config_(std::move(config)) {}

  Result<SubjectOutcome> Run(const FaultSchedule& fault) override {
    PoolConfig pc = config_;
    pc.fault = fault.armed;
    pc.fault_kind = fault.kind;
    pc.fault_method = fault.method;
    pc.strategy_config.pipe_bytes = fault.armed.impl ? fault.armed.impl->pipe_bytes() : 0;
    return RunPool(pc);
  }

  Result<SubjectOutcome> Restart(const std::set<long long>& done_tasks) override {
    PoolConfig pc = config_;
    pc.skip_tasks = done_tasks;
    pc.strategy_config.tasks = pc.tasks - static_cast<long long>(done_tasks.size());
    return RunPool(pc);
  }

 private:
  const PoolConfig config_;
};

}  // namespace

std::unique_ptr<Subject> MakePoolSubject(const Scenario& s, const std::string& dir,
                                         const std::string& self_exe, const std::string& ack_file) {
  PoolConfig pc = PoolConfigFor(s, dir, self_exe);
  pc.ack_file = ack_file;
  return std::make_unique<PoolSubject>(std::move(pc));
}

}  // namespace crashbench
