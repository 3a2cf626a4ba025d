#include "harness/subject/worker.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include "faults/registry.h"
#include "harness/subject/frame.h"

namespace crashbench {

void WorkerMain(Strategy& strategy, const StrategyConfig& config, const ArmedFault& fault,
                FaultShared* shared, int index, const WorkerFds& fds) {
  // Write errors come back as EPIPE rather than killing the process, as in
  // Python (which ignores SIGPIPE): a broken pipe is a failed task.
  ::signal(SIGPIPE, SIG_IGN);
  InstallInProcessFaultHandlers(shared);
  FaultAgent agent(fault, shared, Role::kWorker, index, fds.fire, fds.ack);
  WorkerContext ctx(config, &agent, fds.shared);
  Status s = strategy.WorkerStart(ctx);
  if (!s.ok()) {
    (void)WriteFrame(fds.ack, nlohmann::json{{"fatal", s.message()}}.dump());
    ::_exit(1);
  }
  std::string frame;
  long long ack_ns = 0;  // sending the previous acknowledgement: reported with the next task
  for (;;) {
    if (!ReadFrame(fds.task, &frame).ok()) break;  // no more tasks (or the supervisor is gone)
    long long task = nlohmann::json::parse(frame, nullptr, false).value("task", -1LL);
    if (task < 0) break;
    ctx.clock().Reset();
    ctx.clock().Add(Stage::kIpc, ack_ns);
    Status st = strategy.RunTask(ctx, task);
    nlohmann::json reply;
    if (st.ok()) {
      ctx.Point(FaultPoint::kBeforeAck);
      nlohmann::json stages = nlohmann::json::array();
      for (int i = 0; i < kNumStages; ++i) stages.push_back(ctx.clock().Get(static_cast<Stage>(i)));
      reply = {{"ack", task}, {"st", stages}};
    } else {
      reply = {{"fail", task}, {"error", st.message()}};
    }
    // Read after the task, so it covers a trigger this task reached: a fault
    // that breaks the result pipe has no reader for this report, however late
    // the supervisor hears of the firing.
    if (shared->acted_pid.load() == ::getpid()) reply["after_fault"] = true;
    const long long sent_at = StageNowNanos();
    // A result pipe nobody reads any more: the worker dies of it, as a Python
    // worker does of its BrokenPipeError.
    if (!WriteFrame(fds.ack, reply.dump()).ok()) ::_exit(1);
    ack_ns = StageNowNanos() - sent_at;
  }
  strategy.WorkerExit(ctx);
  ::_exit(0);
}

nlohmann::json WorkerSpecToJson(const StrategyConfig& config, const std::string& strategy,
                                const std::string& fault_kind, const ArmedFault& fault, int index,
                                const WorkerFds& fds) {
  return {{"strategy", strategy},
          {"dir", config.dir},
          {"options", config.options},
          {"payload_seed", config.payload_seed},
          {"records_per_task", config.records_per_task},
          {"record_bytes", config.record_bytes},
          {"tasks", config.tasks},
          {"fault",
           {{"kind", fault_kind},
            {"target", static_cast<int>(fault.target)},
            {"trigger", static_cast<int>(fault.trigger)},
            {"point", static_cast<int>(fault.point)},
            {"occurrence", fault.occurrence},
            {"after_records", fault.after_records},
            {"target_worker", fault.target_worker}}},
          {"index", index},
          {"fds",
           {{"task", fds.task},
            {"ack", fds.ack},
            {"fire", fds.fire},
            {"region", fds.region},
            {"shared", fds.shared}}}};
}

void SpawnedWorkerMain(const std::string& spec_json) {
  nlohmann::json j = nlohmann::json::parse(spec_json, nullptr, false);
  if (j.is_discarded()) ::_exit(2);
  const StrategyInfo* info = FindStrategy(j["strategy"].get<std::string>());
  const FaultInfo* fault_info = FindFault(j["fault"]["kind"].get<std::string>());
  if (!info || !fault_info) ::_exit(2);
  static StrategyConfig config;
  config.dir = j["dir"];
  config.options = j["options"].get<std::map<std::string, std::string>>();
  config.payload_seed = j["payload_seed"];
  config.records_per_task = j["records_per_task"];
  config.record_bytes = j["record_bytes"];
  config.tasks = j.value("tasks", 0LL);
  static std::unique_ptr<Fault> impl = fault_info->make();
  static ArmedFault fault;
  const auto& f = j["fault"];
  fault.impl = fault_info->name == "none" ? nullptr : impl.get();
  fault.target = static_cast<FaultTarget>(f["target"].get<int>());
  fault.trigger = static_cast<TriggerType>(f["trigger"].get<int>());
  fault.point = static_cast<FaultPoint>(f["point"].get<int>());
  fault.occurrence = f["occurrence"];
  fault.after_records = f["after_records"];
  fault.target_worker = f["target_worker"];
  WorkerFds fds;
  fds.task = j["fds"]["task"];
  fds.ack = j["fds"]["ack"];
  fds.fire = j["fds"]["fire"];
  fds.region = j["fds"]["region"];
  fds.shared = j["fds"]["shared"].get<std::vector<int>>();
  Result<FaultRegion> region = FaultRegion::Map(fds.region);
  if (!region.ok()) ::_exit(3);
  static std::unique_ptr<Strategy> strategy = info->make();
  WorkerMain(*strategy, config, fault, region->get(), j["index"].get<int>(), fds);
}

}  // namespace crashbench
