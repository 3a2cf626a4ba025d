#include "harness/base/trial_clock.h"

namespace crashbench {

std::string_view TrialStageName(TrialStage s) {
  static constexpr std::array<std::string_view, kNumTrialStages> kNames = {
      "scratch set-up", "fork trial",      "subject set-up", "fork workers", "dispatch",
      "writes",         "fault",           "reaping",        "verification", "result to runner",
      "collect result", "scratch removal", "spill"};
  return kNames[static_cast<size_t>(s)];
}

}  // namespace crashbench
