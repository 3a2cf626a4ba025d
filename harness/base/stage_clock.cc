#include "harness/base/stage_clock.h"

#include <time.h>

#include <array>

namespace crashbench {

std::string_view StageName(Stage s) {
  static constexpr std::array<std::string_view, kNumStages> kNames = {
      "serialize", "ipc", "write", "fsync", "rename", "lock_wait"};
  return kNames[static_cast<size_t>(s)];
}

long long StageNowNanos() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

}  // namespace crashbench
