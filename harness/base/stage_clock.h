// Where a worker's time goes, per stage, summed over its tasks. Cheap enough to
// leave on in every run (two clock reads per stage).
//
//   { StageTimer t(ctx.clock(), Stage::kWrite); fwrite(...); }
#pragma once

#include <array>
#include <string_view>

namespace crashbench {

enum class Stage { kSerialize, kIpc, kWrite, kFsync, kRename, kLockWait };
inline constexpr int kNumStages = 6;
std::string_view StageName(Stage s);

long long StageNowNanos();

class StageClock {
 public:
  void Add(Stage s, long long ns) { ns_[static_cast<size_t>(s)] += ns; }
  long long Get(Stage s) const { return ns_[static_cast<size_t>(s)]; }
  void Reset() { ns_.fill(0); }

 private:
  std::array<long long, kNumStages> ns_{};
};

class StageTimer {
 public:
  StageTimer(StageClock& clock, Stage s) : clock_(clock), stage_(s), start_(StageNowNanos()) {}
  ~StageTimer() { clock_.Add(stage_, StageNowNanos() - start_); }
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;

 private:
  StageClock& clock_;
  Stage stage_;
  long long start_;
};

}  // namespace crashbench
