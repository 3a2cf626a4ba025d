#include "strategies/worker_context.h"

#include "harness/contract/record.h"
#include "harness/inject/fault_agent.h"

namespace crashbench {

FsyncMode StrategyConfig::fsync() const {
  auto it = options.find("fsync");
  if (it == options.end() || it->second == "none") return FsyncMode::kNone;
  return it->second == "record" ? FsyncMode::kRecord : FsyncMode::kTask;
}

void WorkerContext::Point(FaultPoint p) {
  if (agent_) agent_->Point(p);
}

bool WorkerContext::PointDeferringSelf(FaultPoint p) {
  return agent_ && agent_->PointDeferringSelf(p);
}

void WorkerContext::FireNow() {
  if (agent_) agent_->FireNow();
}

void WorkerContext::RecordWritten() {
  if (agent_) agent_->RecordWritten();
}

const std::string& WorkerContext::RecordText(long long task, long long seq, bool with_newline) {
  StageTimer t(clock_, Stage::kSerialize);
  EncodeGeneratedRecordTo(config_.payload_seed, task, seq, config_.records_per_task,
                          static_cast<size_t>(config_.record_bytes), &text_);
  if (with_newline) text_ += '\n';
  return text_;
}

}  // namespace crashbench
